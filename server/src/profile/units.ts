/**
 * Costs as people read them: bytes the way `go tool pprof` prints them (1024-based, `kB`, `MB`,
 * `GB`), object counts with `k`/`M`, shares in percent. Pure.
 */
import type { Cost } from './join';

function scaled(v: number, step: number, units: readonly string[]): string {
	let i = 0;
	while (Math.abs(v) >= step && i < units.length - 1) {
		v /= step;
		i++;
	}
	const digits = i === 0 || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 1;
	return `${Number(v.toFixed(digits))}${units[i] ? ` ${units[i]}` : ''}`;
}

/** `16 B`, `2.5 kB`, `1.2 GB` (1024-based, as go tool pprof prints). */
export function formatBytes(n: number): string {
	return scaled(n, 1024, ['B', 'kB', 'MB', 'GB', 'TB']);
}

/** `201`, `12.3 k`, `3.4 M`. */
export function formatCount(n: number): string {
	return scaled(n, 1000, ['', 'k', 'M', 'G']);
}

/** `31 %`, `2.5 %`, `<0.1 %`. */
export function formatShare(share: number): string {
	const p = share * 100;
	if (p > 0 && p < 0.1) return '<0.1 %';
	return `${Number(p.toFixed(p >= 10 ? 0 : 1))} %`;
}

/** "1.2 GB · 3.4 M allocs · 31 %" (the parts the profile has). */
export function costLabel(c: Cost, share: number): string {
	const allocs = `${formatCount(c.objects)} alloc${c.objects === 1 ? '' : 's'}`;
	return [formatBytes(c.bytes), allocs, formatShare(share)].join(' · ');
}

/** A signed per-line difference: "−96 % bytes", "+1.2 MB". */
export function formatDelta(before: number, after: number, unit: 'bytes' | 'count'): string {
	if (before === 0) return after === 0 ? '±0' : `new: ${unit === 'bytes' ? formatBytes(after) : formatCount(after)}`;
	const pct = ((after - before) / before) * 100;
	const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
	return `${sign}${Number(Math.abs(pct).toFixed(Math.abs(pct) >= 10 ? 0 : 1))} % ${unit === 'bytes' ? 'bytes' : 'allocs'}`;
}
