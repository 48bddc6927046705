/**
 * Allocation profiles in VS Code: the "Load Allocation Profile…" commands (a file, gzipped or not;
 * a URL; a second one to compare; clear) and the "Allocation hot spots" view (top lines grouped by
 * function, each with the compiler's reason; click to go there). The server holds the profile
 * (lsp/profiles.ts); the CodeLens and the cost notes come from it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ClearProfileNotification, HotSpotsRequest, LoadProfileRequest, ProfileChangedNotification, type HotSpot, type HotSpotsResult } from '../../common/protocol';

type Node = { kind: 'func'; func: string; spots: HotSpot[]; share: number } | { kind: 'spot'; spot: HotSpot } | { kind: 'note'; text: string };

/** The "Allocation hot spots" tree. */
export class HotSpotTree implements vscode.TreeDataProvider<Node> {
	private readonly changed = new vscode.EventEmitter<Node | undefined>();
	readonly onDidChangeTreeData = this.changed.event;
	private data: HotSpotsResult = { title: '', spots: [], notes: [] };

	constructor(private readonly client: LanguageClient) {}

	async refresh(): Promise<void> {
		this.data = await this.client.sendRequest(HotSpotsRequest.type);
		this.changed.fire(undefined);
	}

	get title(): string {
		return this.data.title;
	}

	getChildren(n?: Node): Node[] {
		if (n?.kind === 'func') return n.spots.map((spot) => ({ kind: 'spot', spot }));
		if (n) return [];
		const byFunc = new Map<string, HotSpot[]>();
		for (const s of this.data.spots) byFunc.set(s.func, [...(byFunc.get(s.func) ?? []), s]);
		const funcs: Node[] = [...byFunc].map(([func, spots]) => ({ kind: 'func', func, spots, share: spots.reduce((a, s) => a + s.share, 0) }));
		return [...funcs, ...this.data.notes.map((text): Node => ({ kind: 'note', text }))];
	}

	getTreeItem(n: Node): vscode.TreeItem {
		if (n.kind === 'note') return new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
		if (n.kind === 'func') {
			const item = new vscode.TreeItem(n.func.slice(n.func.lastIndexOf('/') + 1), vscode.TreeItemCollapsibleState.Expanded);
			item.description = `${(n.share * 100).toFixed(1)} %`;
			item.iconPath = new vscode.ThemeIcon('symbol-function');
			return item;
		}
		const s = n.spot;
		const uri = vscode.Uri.parse(s.uri);
		const item = new vscode.TreeItem(`${vscode.workspace.asRelativePath(uri)}:${s.line + 1}  ${s.label}`, vscode.TreeItemCollapsibleState.None);
		item.description = s.reason;
		item.tooltip = `${s.label}\n${s.reason}`;
		item.command = { command: 'vscode.open', title: 'Go to line', arguments: [uri, { selection: new vscode.Range(s.line, 0, s.line, 0) }] };
		return item;
	}
}

/** Registers the profile commands and the hot-spot view. */
export function registerProfiles(context: vscode.ExtensionContext, client: LanguageClient): HotSpotTree {
	const tree = new HotSpotTree(client);
	const view = vscode.window.createTreeView('goMemlens.hotSpots', { treeDataProvider: tree, showCollapseAll: true });
	const refresh = async () => {
		await tree.refresh();
		view.description = tree.title;
	};
	const load = async (params: { path?: string; url?: string; compare?: boolean }) => {
		const r = await client.sendRequest(LoadProfileRequest.type, params);
		if (r.ok) void vscode.window.showInformationMessage(`Go MemLens: ${r.message}`);
		else void vscode.window.showErrorMessage(`Go MemLens: ${r.message}`);
	};
	const pick = async (title: string) => {
		const files = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'pprof profiles': ['pprof', 'pb', 'gz', 'prof', 'out'], 'All files': ['*'] } });
		return files?.[0]?.fsPath;
	};
	context.subscriptions.push(
		view,
		client.onNotification(ProfileChangedNotification.type, () => void refresh()),
		vscode.commands.registerCommand('goMemlens.loadProfile', async (file?: string) => {
			const p = typeof file === 'string' ? file : await pick('Load Allocation Profile');
			if (p) await load({ path: p });
		}),
		vscode.commands.registerCommand('goMemlens.loadProfileUrl', async (url?: string) => {
			const u = typeof url === 'string' ? url : await vscode.window.showInputBox({ title: 'Load Allocation Profile from URL', value: 'http://127.0.0.1:6060/debug/pprof/allocs', prompt: 'net/http/pprof: /debug/pprof/allocs or /debug/pprof/heap (loopback hosts only unless goMemlens.profile.allowRemoteHosts)' });
			if (u) await load({ url: u });
		}),
		vscode.commands.registerCommand('goMemlens.compareProfile', async (file?: string) => {
			const p = typeof file === 'string' ? file : await pick('Compare with Allocation Profile (after a change)');
			if (p) await load({ path: p, compare: true });
		}),
		vscode.commands.registerCommand('goMemlens.clearProfile', () => client.sendNotification(ClearProfileNotification.type)),
		vscode.commands.registerCommand('goMemlens.refreshHotSpots', refresh),
	);
	return tree;
}
