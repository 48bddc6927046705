/** handoff.ts: where a value held in a loop variable moves out of the loop body. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf } from '../../../server/src/syntax/mirror';
import { localDeclarationOf as declarationOf } from '../../../server/src/rules/shared/declarations';
import { handOff, importNames } from '../../../server/src/rules/shared/handoff';

/**
 * Runs handOff for the variable `c` declared first in the (only) loop body of `body`, over that
 * body, ignoring the first defer; returns "kind name" or null.
 */
async function moved(body: string, opts: { context?: boolean } = {}): Promise<string | null> {
	const src = `package p

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
)

var registry []net.Conn

type server struct{ conns map[int]net.Conn }

func (s *server) f(t *testing.T, l net.Listener, out chan net.Conn, list []net.Conn, ctx context.Context) net.Conn {
${body}
	return nil
}
`;
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		const loop = root.descendantsOfType('for_statement')[0]!;
		const body = loop.childForFieldName('body')!;
		const id = body.descendantsOfType('identifier').find((i) => i!.text === 'c')!;
		const b = declarationOf(id)!;
		const r = handOff([b], body, { imports: importNames(root), ignore: body.descendantsOfType('defer_statement')[0] ?? undefined, contexts: opts.context ? [b] : [] });
		return r ? `${r.kind} ${r.name}` : null;
	} finally {
		tree.delete();
		parser.delete();
	}
}

const loop = (inner: string) => `\tfor i := 0; i < 3; i++ {\n\t\tc, _ := l.Accept()\n\t\tdefer c.Close()\n${inner}\n\t}`;

test('hand-offs: appended, stored, sent, returned, goroutine, registered, used after the loop', async () => {
	assert.equal(await moved(loop('\t\tlist = append(list, c)')), 'appended c');
	assert.equal(await moved(loop('\t\ts.conns[i] = c')), 'stored c');
	assert.equal(await moved(loop('\t\tregistry = append(registry, c)')), 'appended c');
	assert.equal(await moved(loop('\t\tout <- c')), 'sent c');
	assert.equal(await moved(loop('\t\treturn c')), 'returned c');
	assert.equal(await moved(loop('\t\tgo io.Copy(c, c)')), 'goroutine c');
	assert.equal(await moved(loop('\t\tgo func() {\n\t\t\t_, _ = c.Write(nil)\n\t\t}()')), 'goroutine c');
	assert.equal(await moved(loop('\t\ts.register(c)')), 'registered c', 'a method of an object that outlives the loop may keep it');
	// Used after the loop: declared outside, assigned inside.
	assert.equal(
		await moved('\tvar c net.Conn\n\tfor i := 0; i < 3; i++ {\n\t\tc, _ = l.Accept()\n\t\tdefer c.Close()\n\t}\n\t_ = c.LocalAddr()'),
		'used-after c',
	);
});

test('followed through local holders: wrappers, composite literals, fields, New constructors', async () => {
	assert.equal(await moved(loop('\t\tr := bufio.NewReader(c)\n\t\tlist = append(list, nil)\n\t\t_ = r\n\t\ts.keep(r)')), 'registered r');
	assert.equal(await moved(loop('\t\tp := peer{conn: c}\n\t\tout <- p')), 'sent p');
	assert.equal(await moved(loop('\t\ttimerC := c.LocalAddr\n\t\t_ = timerC')), null, 'a method value is not the value');
	assert.equal(await moved(loop('\t\tx := c\n\t\treturn x')), 'returned x');
	// The defer under analysis does not count as a use.
	assert.equal(await moved('\tfor i := 0; i < 3; i++ {\n\t\tc, _ := l.Accept()\n\t\tdefer func() { list = append(list, c) }()\n\t}'), null);
});

test('not hand-offs: used in the iteration, passed to a package function, logged, the error result', async () => {
	assert.equal(await moved(loop('\t\t_, _ = io.Copy(io.Discard, c)')), null);
	assert.equal(await moved(loop('\t\tdata, err := io.ReadAll(c)\n\t\tlist = append(list, nil)\n\t\t_, _ = data, err')), null, 'ReadAll returns the data, not the conn');
	assert.equal(await moved(loop('\t\tt.Logf("%v", c)')), null, 'testing.T methods log');
	assert.equal(await moved(loop('\t\tn, err := c.Read(nil)\n\t\t_ = n\n\t\tregistry = append(registry, nil)\n\t\t_ = err')), null);
	assert.equal(await moved(loop('\t\tfunc() { _ = c.LocalAddr() }()')), null, 'a closure called in place');
});

test('a context passed down is not kept; what the call returns is bound to it', async () => {
	const ctxLoop = (inner: string) => `\tfor i := 0; i < 3; i++ {\n\t\tc, cancel := context.WithCancel(ctx)\n\t\tdefer cancel()\n${inner}\n\t}`;
	assert.equal(await moved(ctxLoop('\t\ts.fetch(c)'), { context: true }), null);
	assert.equal(await moved(ctxLoop('\t\tst, err := s.open(c)\n\t\t_ = err\n\t\tlist = append(list, st)'), { context: true }), 'appended st');
	assert.equal(await moved(ctxLoop('\t\tgo s.fetch(c)'), { context: true }), 'goroutine c');
	assert.equal(await moved(ctxLoop('\t\ts.fetch(c)')), 'registered c', 'without the context mark it is a registration');
});
