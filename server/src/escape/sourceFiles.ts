/**
 * The file-system questions the -m parser asks to place a compiler position (printedPaths.ts):
 * does a file exist, and how long is each of its lines. One instance per compile run: answers are
 * cached for the run, and unsaved text (the LSP overlay) is what the compiler saw, so it wins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { lineByteLengths } from './printedPaths';

export interface SourceFiles {
	exists: (file: string) => boolean;
	lineLengths: (file: string) => readonly number[] | undefined;
}

export function sourceFiles(overlay?: ReadonlyMap<string, string>): SourceFiles {
	const known = new Map<string, boolean>();
	const lengths = new Map<string, readonly number[] | undefined>();
	return {
		exists(file) {
			let e = known.get(file);
			if (e === undefined) known.set(file, (e = (overlay?.has(file) ?? false) || existsSync(file)));
			return e;
		},
		lineLengths(file) {
			if (lengths.has(file)) return lengths.get(file);
			let text: string | Buffer | undefined = overlay?.get(file);
			if (text === undefined) {
				try {
					text = readFileSync(file);
				} catch {
					// unreadable: the position cannot be checked, so it is not placed
				}
			}
			const r = text === undefined ? undefined : lineByteLengths(text);
			lengths.set(file, r);
			return r;
		},
	};
}
