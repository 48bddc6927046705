/**
 * Did vet compile this file? When `go vet` succeeds on a package directory it has type-checked
 * every file of it that no build constraint can exclude: a file vet did not report on is then
 * known clean. A file behind a constraint (a `//go:build` or `// +build` line, a `_GOOS`/`_GOARCH`
 * name suffix, `import "C"`, which needs cgo) may have been left out for this GOOS/GOARCH, tags
 * and CGO_ENABLED: vet's silence says nothing about it. Pure (go/build's rules, Go 1.26 lists).
 */
import path from 'node:path';

const KNOWN_OS = new Set('aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos'.split(' '));
const KNOWN_ARCH = new Set(
	'386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm'.split(' '),
);

/** `x_linux.go`, `x_amd64_test.go`, `x_linux_arm64.go`: go/build's goodOSArchFile would check the suffix. */
function hasOsArchSuffix(name: string): boolean {
	const parts = name.replace(/\.go$/, '').replace(/_test$/, '').split('_');
	if (parts.length < 2) return false;
	const last = parts[parts.length - 1];
	// A name that is only the suffix (`linux.go`) has no constraint: go/build needs a leading element.
	return KNOWN_OS.has(last) || KNOWN_ARCH.has(last);
}

/** The file's header (up to the package clause) holds a build constraint. */
function hasConstraintLine(text: string): boolean {
	const pkg = /^package\s/m.exec(text);
	const header = pkg ? text.slice(0, pkg.index) : text;
	return /^\s*\/\/(go:build|\s*\+build)\s/m.test(header);
}

/** True when no build setting can leave the file out of its package (see the file comment). */
export function alwaysCompiled(filePath: string, text: string): boolean {
	const name = path.basename(filePath);
	if (!name.endsWith('.go') || name.startsWith('_') || name.startsWith('.')) return false;
	if (hasOsArchSuffix(name) || hasConstraintLine(text)) return false;
	return !/^\s*import\s+(\(\s*)?"C"/m.test(text);
}
