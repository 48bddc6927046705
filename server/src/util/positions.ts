/** Byte (UTF-8) ⇄ UTF-16 column conversion: the compiler counts bytes, the LSP counts UTF-16 units. */

/** UTF-16 offset within `lineText` of the 0-based UTF-8 byte offset `byteCol`. */
export function byteToUtf16(lineText: string, byteCol: number): number {
	let bytes = 0;
	for (let i = 0; i < lineText.length; i++) {
		if (bytes >= byteCol) return i;
		const c = lineText.charCodeAt(i);
		if (c < 0x80) bytes += 1;
		else if (c < 0x800) bytes += 2;
		else if (c >= 0xd800 && c <= 0xdbff) {
			bytes += 4;
			i++; // the low surrogate belongs to the same code point
		} else bytes += 3;
	}
	return lineText.length;
}

/** 0-based UTF-8 byte offset within `lineText` of the UTF-16 offset `utf16Col`. */
export function utf16ToByte(lineText: string, utf16Col: number): number {
	return Buffer.byteLength(lineText.slice(0, utf16Col), 'utf8');
}

/** Splits text into lines the way the compiler and the LSP count them (\n, with a trailing \r dropped). */
export function splitLines(text: string): string[] {
	return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
