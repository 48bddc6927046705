/**
 * The `Go MemLens` commands: re-run, toggle decorations, show what stays on the stack in the
 * function at the cursor, show compiler output, show a build error, open rule documentation, show log.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { Commands, RawOutputRequest } from '../../common/protocol';
import type { RawOutputDocuments } from './rawOutput';
import { showBuildErrorCommand, type StatusItem } from './status';

/** What the commands need from the rest of the client. */
export interface CommandDeps {
	context: vscode.ExtensionContext;
	client: LanguageClient;
	log: vscode.LogOutputChannel;
	status: StatusItem;
	raw: RawOutputDocuments;
}

/** Registers every command; the disposables go into `context.subscriptions`. */
export function registerCommands(deps: CommandDeps): void {
	const { context, client, log, status, raw } = deps;
	const reg = (id: string, fn: (...args: any[]) => unknown) =>
		context.subscriptions.push(
			vscode.commands.registerCommand(id, async (...args: any[]) => {
				try {
					await fn(...args);
				} catch (e) {
					log.error(`${id} failed: ${e instanceof Error ? e.message : String(e)}`);
					void vscode.window.showErrorMessage(`Go MemLens: ${e instanceof Error ? e.message : String(e)}`);
				}
			}),
		);

	reg('goMemlens.rerun', async () => {
		const uri = activeGoUri();
		await client.sendRequest(ExecuteCommandRequest.type, { command: Commands.rerun, arguments: uri ? [uri.toString()] : [] });
	});

	reg('goMemlens.toggleStackFacts', async () => {
		const editor = vscode.window.activeTextEditor;
		const uri = activeGoUri();
		if (!editor || !uri) return;
		const p = editor.selection.active;
		const done = await client.sendRequest(ExecuteCommandRequest.type, {
			command: Commands.toggleStackFacts,
			arguments: [uri.toString(), { line: p.line, character: p.character }],
		});
		if (done !== true) void vscode.window.showInformationMessage('Go MemLens: put the cursor inside a function (not a function literal at package level) to show what stays on its stack.');
	});

	reg('goMemlens.toggleDecorations', async () => {
		const cfg = vscode.workspace.getConfiguration('goMemlens');
		const info = cfg.inspect<boolean>('decorations.enabled');
		const next = !cfg.get<boolean>('decorations.enabled', true);
		// Write where the effective value comes from, so the toggle is not shadowed by a more specific scope.
		const target =
			info?.workspaceFolderValue !== undefined
				? vscode.ConfigurationTarget.WorkspaceFolder
				: info?.workspaceValue !== undefined
					? vscode.ConfigurationTarget.Workspace
					: vscode.ConfigurationTarget.Global;
		await cfg.update('decorations.enabled', next, target);
	});

	reg('goMemlens.showCompilerOutput', async () => {
		const uri = activeGoUri();
		if (!uri) {
			void vscode.window.showInformationMessage('Go MemLens: open a Go file first; the output shown is for its package.');
			return;
		}
		const result = await client.sendRequest(RawOutputRequest.type, { uri: uri.toString() });
		if (!result) {
			const why = status.stateFor(uri)?.message ?? 'no escape analysis has finished for this package yet';
			void vscode.window.showInformationMessage(`Go MemLens: no compiler output (${why}).`);
			return;
		}
		const header = `# ${result.command}\n# cwd: ${result.cwd}\n`;
		await raw.show(`compiler output ${path.basename(result.cwd)}`, header + result.output, result.cwd);
	});

	reg(showBuildErrorCommand, async (packageUri?: string) => {
		const file = activeGoUri();
		const pkg = typeof packageUri === 'string' ? packageUri : file ? vscode.Uri.file(path.dirname(file.fsPath)).toString() : undefined;
		const error = pkg ? status.buildError(pkg) : undefined;
		if (!pkg || !error) {
			void vscode.window.showInformationMessage('Go MemLens: no build error recorded for this package.');
			return;
		}
		const dir = vscode.Uri.parse(pkg).fsPath;
		await raw.show(`build error ${path.basename(dir)}`, `# the last build failed; the facts shown are from the last good build\n${error}\n`, dir);
	});

	reg('goMemlens.openRuleDocs', async (id?: string) => {
		// Pages for the pattern rules (docs/rules) and for the compiler's fact kinds (docs/escape).
		const pages: Array<vscode.QuickPickItem & { uri: vscode.Uri }> = [];
		for (const [folder, description] of [
			['rules', 'pattern rule'],
			['escape', 'compiler fact'],
		] as const) {
			const dir = vscode.Uri.joinPath(context.extensionUri, 'docs', folder);
			const names = await fs.readdir(dir.fsPath).catch(() => [] as string[]);
			for (const f of names.filter((n) => n.endsWith('.md')).sort()) {
				pages.push({ label: f.slice(0, -3), description, uri: vscode.Uri.joinPath(dir, f) });
			}
		}
		if (pages.length === 0) {
			void vscode.window.showInformationMessage('Go MemLens: no documentation is bundled with this build.');
			return;
		}
		const page = pages.find((p) => p.label === id) ?? (await vscode.window.showQuickPick(pages, { placeHolder: 'Rule or compiler fact to read about', matchOnDescription: true }));
		if (page) await vscode.commands.executeCommand('markdown.showPreview', page.uri);
	});

	reg('goMemlens.showLog', () => log.show(true));
}

function activeGoUri(): vscode.Uri | undefined {
	const doc = vscode.window.activeTextEditor?.document;
	return doc && doc.languageId === 'go' && doc.uri.scheme === 'file' ? doc.uri : undefined;
}
