/**
 * Checks of the rules' copy of a syntax tree against tree-sitter's tree, node by node, for the
 * deferred reparse after a keystroke that re-read part of the copy without it (see mirrorSplice.ts `settle`).
 */
import type { Tree as TsTree, TreeCursor } from 'web-tree-sitter';
import type { MNode } from './mirrorNode';

/**
 * Does the subtree under the cursor have exactly the copy's nodes (type, field, extent, missing,
 * children)? Stamps tree-sitter's ids on the copy as it goes. Deletes the cursor.
 */
export function sameShape(c: TreeCursor, top: MNode, types: readonly string[], fields: readonly (string | null)[]): boolean {
	try {
		let n = top;
		for (;;) {
			if ((types[c.nodeTypeId] ?? 'ERROR') !== n.type || c.startIndex !== n.startIndex || c.endIndex - c.startIndex !== n.len || c.nodeIsMissing !== n.isMissing) return false;
			if (n !== top && (fields[c.currentFieldId] ?? null) !== n.field) return false;
			n.tsId = c.nodeId;
			const kids = n.kids ?? [];
			if (c.gotoFirstChild()) {
				if (!kids.length) return false;
				n = kids[0];
				continue;
			}
			if (kids.length) return false;
			// Next sibling, climbing as far as needed; the copy must run out of siblings exactly when the cursor does.
			for (;;) {
				if (n === top) return true;
				const sibs = n.parent!.kids!;
				const more = c.gotoNextSibling();
				if (more !== n.idx + 1 < sibs.length) return false;
				if (more) {
					n = sibs[n.idx + 1];
					break;
				}
				c.gotoParent();
				n = n.parent!;
			}
		}
	} finally {
		c.delete();
	}
}

/**
 * Are the top-level nodes of `ts` the copies (the spliced ones were checked apart)? Same extent and
 * type, and the same subtree: tree-sitter's id, else (a node it built again, or a leaf, which is
 * kept inline in its parent and changes id with every root) the same nodes, whose ids are taken.
 */
export function sameTops(ts: TsTree, tops: readonly MNode[], spliced: ReadonlyMap<number, unknown>, types: readonly string[], fields: readonly (string | null)[]): boolean {
	const c = ts.rootNode.walk();
	try {
		if (!c.gotoFirstChild()) return tops.length === 0;
		let k = 0;
		do {
			const t = tops[k];
			if (!t || c.startIndex !== t.startIndex || c.endIndex - c.startIndex !== t.len || (types[c.nodeTypeId] ?? 'ERROR') !== t.type) return false;
			if (!spliced.has(k) && c.nodeId !== t.tsId) {
				// Not read yet: it will be, from this tree.
				if (t.kids && !sameShape(c.currentNode.walk(), t, types, fields)) return false;
				t.tsId = c.nodeId;
			}
			k++;
		} while (c.gotoNextSibling());
		return k === tops.length;
	} finally {
		c.delete();
	}
}
