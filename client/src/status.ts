/**
 * The Go language status item: the escape-analysis state of the active file's package, from
 * `goMemlens/status`. Each state offers the one action that helps (show the build error, open
 * the setting, manage trust).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StatusParams } from '../../common/protocol';

/** Command id that shows a stale package's build error (registered in commands.ts). */
export const showBuildErrorCommand = 'goMemlens.showBuildError';

/** Tracks per-package states and shows the active one. */
export class StatusItem implements vscode.Disposable {
	private readonly item: vscode.LanguageStatusItem;
	private readonly byPackage = new Map<string, StatusParams>();
	/** The last build error per package, kept while a new run is going (cleared by a good build). */
	private readonly buildErrors = new Map<string, string>();
	private readonly listeners: vscode.Disposable[] = [];

	constructor() {
		this.item = vscode.languages.createLanguageStatusItem('goMemlens.status', { language: 'go' });
		this.item.name = 'Go MemLens';
		this.item.text = 'MemLens: starting';
		this.item.busy = true;
		this.listeners.push(vscode.window.onDidChangeActiveTextEditor(() => this.render()));
	}

	/** Handles a `goMemlens/status` notification. */
	update(params: StatusParams): void {
		this.byPackage.set(params.packageUri, params);
		if (params.state === 'stale' && params.detail) this.buildErrors.set(params.packageUri, params.detail);
		else if (params.state === 'upToDate') this.buildErrors.delete(params.packageUri);
		this.render();
	}

	/** The state of the package holding `uri` (its directory), if the server reported one. */
	stateFor(uri: vscode.Uri): StatusParams | undefined {
		return this.byPackage.get(vscode.Uri.file(path.dirname(uri.fsPath)).toString());
	}

	/** The last build error of a package directory URI, if its last finished build failed. */
	buildError(packageUri: string): string | undefined {
		return this.buildErrors.get(packageUri);
	}

	/** Shown when the server stopped for good. */
	serverStopped(): void {
		this.item.busy = false;
		this.item.text = 'MemLens: stopped';
		this.item.detail = 'the language server stopped; see Go MemLens: Show Log';
		this.item.severity = vscode.LanguageStatusSeverity.Error;
		this.item.command = { title: 'Show log', command: 'goMemlens.showLog' };
	}

	dispose(): void {
		this.item.dispose();
		for (const l of this.listeners) l.dispose();
	}

	private render(): void {
		const editor = vscode.window.activeTextEditor;
		const p = editor && editor.document.languageId === 'go' ? this.stateFor(editor.document.uri) : undefined;
		const it = this.item;
		it.busy = false;
		it.severity = vscode.LanguageStatusSeverity.Information;
		it.command = undefined;
		if (!p) {
			it.text = 'MemLens: waiting';
			it.detail = 'escape analysis runs when the package is opened or saved';
			return;
		}
		it.detail = p.message;
		switch (p.state) {
			case 'running':
				it.busy = true;
				it.text = 'MemLens: analysing';
				break;
			case 'upToDate':
				it.text = 'MemLens: up to date';
				it.command = { title: 'Show compiler output', command: 'goMemlens.showCompilerOutput' };
				break;
			case 'stale':
				it.text = 'MemLens: stale';
				it.severity = vscode.LanguageStatusSeverity.Warning;
				it.command = { title: 'Show build error', command: showBuildErrorCommand, arguments: [p.packageUri] };
				break;
			case 'goMissing':
				it.text = 'MemLens: Go not found';
				it.severity = vscode.LanguageStatusSeverity.Error;
				it.command = { title: 'Set goMemlens.goPath', command: 'workbench.action.openSettings', arguments: ['goMemlens.goPath'] };
				break;
			case 'untrusted':
				it.text = 'MemLens: escape analysis off';
				it.detail = p.message || 'the workspace is not trusted, so the Go toolchain is not run; syntax checks still run';
				it.command = { title: 'Manage workspace trust', command: 'workbench.trust.manage' };
				break;
			case 'disabled':
				it.text = 'MemLens: escape analysis disabled';
				it.command = { title: 'Open setting', command: 'workbench.action.openSettings', arguments: ['goMemlens.escapeEnabled'] };
				break;
			default:
				it.text = 'MemLens: idle';
		}
	}
}
