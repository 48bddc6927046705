/**
 * pprof bytes → a compact, typed view of an allocation profile. The protobuf is decoded by
 * `pprof-format` (Datadog's pure-JS encoder/decoder); gzipped input (what `go test -memprofile`
 * and `net/http/pprof` write) is recognised by its magic bytes and inflated with node:zlib. Pure:
 * bytes in, data out.
 *
 * Go's heap profiles carry four sample types (`alloc_objects`, `alloc_space`, `inuse_objects`,
 * `inuse_space`), already scaled by the runtime from its sampled allocations; with
 * `-memprofilerate=1` every allocation is recorded, so the counts are exact. A location's lines are
 * listed innermost first (an inlined call's body before its caller), and a sample's locations leaf
 * first.
 */
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export const SAMPLE_TYPES = ['alloc_space', 'alloc_objects', 'inuse_space', 'inuse_objects'] as const;
export type SampleType = (typeof SAMPLE_TYPES)[number];

/** One source line of a location (an inlined body's line, or the location's own). */
export interface Frame {
	/** Go's function name, e.g. `example.com/m/pkg.(*T).Method`. */
	func: string;
	/** The file name as the binary recorded it: absolute, or module path + path (`-trimpath`), or GOROOT-relative. */
	file: string;
	line: number;
	/** The line of the function's `func` keyword when it was built (0 when the profile does not say). */
	startLine: number;
}

export interface DecodedProfile {
	/** `alloc_space/bytes`… in the profile's order; sample values follow it. */
	types: { type: string; unit: string }[];
	/** Unique frames; `stackFrames` refers to them by index. */
	frames: Frame[];
	/** How many samples. */
	samples: number;
	/** Sample i's frames, leaf first (inlined frames expanded), are `stackFrames[stackStart[i] .. stackStart[i+1])`. */
	stackStart: Uint32Array;
	stackFrames: Uint32Array;
	/** Sample i's values, in `types` order, are `values[i * types.length ..]`. */
	values: Float64Array;
	/** Samples whose stack had a location the profile does not define (counted, not dropped: their frames are left out). */
	brokenLocations: number;
}

export class ProfileError extends Error {}

const num = (v: number | bigint | undefined): number => (typeof v === 'bigint' ? Number(v) : (v ?? 0));

/** True for gzip's magic bytes. */
export function isGzip(bytes: Uint8Array): boolean {
	return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes a pprof profile, gzipped or not. Throws ProfileError on what is not one. */
export function decodeProfile(input: Uint8Array): DecodedProfile {
	let bytes = input;
	if (isGzip(bytes)) {
		try {
			bytes = gunzipSync(bytes);
		} catch (e) {
			throw new ProfileError(`not a readable gzip file: ${(e as Error).message}`);
		}
	}
	let p: Profile;
	try {
		p = Profile.decode(bytes);
	} catch (e) {
		throw new ProfileError(`not a pprof profile: ${(e as Error).message}`);
	}
	const strings = p.stringTable.strings;
	const str = (i: number | bigint) => strings[num(i)] ?? '';
	const types = p.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
	if (types.length === 0) throw new ProfileError('not a pprof profile: it declares no sample types');

	const functions = new Map<number, { name: string; file: string; start: number }>();
	for (const f of p.function) functions.set(num(f.id), { name: str(f.name), file: str(f.filename), start: num(f.startLine) });

	const frames: Frame[] = [];
	const frameIds = new Map<string, number>();
	const frameOf = (func: string, file: string, line: number, startLine: number) => {
		const key = `${func}\u0000${file}\u0000${line}`;
		let id = frameIds.get(key);
		if (id === undefined) {
			id = frames.length;
			frames.push({ func, file, line, startLine });
			frameIds.set(key, id);
		}
		return id;
	};
	// Location ids are small and dense in what Go writes (1..n): an array, not a Map, on the hot path.
	const locations: (number[] | undefined)[] = [];
	for (const loc of p.location) {
		const ids: number[] = [];
		for (const l of loc.line) {
			const fn = functions.get(num(l.functionId));
			ids.push(frameOf(fn?.name ?? '?', fn?.file ?? '', num(l.line), fn?.start ?? 0));
		}
		const id = num(loc.id);
		if (id >= 0 && id < 16 * (p.location.length + 16)) locations[id] = ids;
	}

	// Flat arrays: one typed array per sample would cost more than the samples' own data.
	const n = p.sample.length;
	const nt = types.length;
	const stackStart = new Uint32Array(n + 1);
	let stackFrames = new Uint32Array(Math.max(16, n * 8));
	const values = new Float64Array(n * nt);
	let at = 0;
	let brokenLocations = 0;
	for (let i = 0; i < n; i++) {
		const s = p.sample[i];
		stackStart[i] = at;
		let broken = false;
		const lids = s.locationId;
		for (let k = 0; k < lids.length; k++) {
			const lid = lids[k];
			const fs = locations[typeof lid === 'number' ? lid : Number(lid)];
			if (!fs) {
				broken = true;
				continue;
			}
			if (at + fs.length > stackFrames.length) {
				const grown = new Uint32Array(Math.max(stackFrames.length * 2, at + fs.length));
				grown.set(stackFrames);
				stackFrames = grown;
			}
			for (let j = 0; j < fs.length; j++) stackFrames[at++] = fs[j];
		}
		if (broken) brokenLocations++;
		const sv = s.value;
		for (let t = 0; t < nt; t++) {
			const v = sv[t];
			values[i * nt + t] = typeof v === 'number' ? v : num(v);
		}
	}
	stackStart[n] = at;
	return { types, frames, samples: n, stackStart, stackFrames: stackFrames.subarray(0, at), values, brokenLocations };
}

/** Which value of a sample is the chosen type, and which are its bytes and objects (same family: alloc or inuse). */
export interface ValueIndexes {
	value: number;
	bytes: number;
	objects: number;
	unit: string;
}

/** The indexes of `type` and its family's bytes/objects in the profile; throws ProfileError when it has no such type. */
export function valueIndexes(p: Pick<DecodedProfile, 'types'>, type: SampleType): ValueIndexes {
	const at = (t: string) => p.types.findIndex((x) => x.type === t);
	const value = at(type);
	if (value < 0) {
		throw new ProfileError(`the profile has no ${type} samples (it has ${p.types.map((t) => t.type).join(', ')}): is it an allocation or heap profile?`);
	}
	const family = type.startsWith('alloc') ? 'alloc' : 'inuse';
	return { value, bytes: at(`${family}_space`), objects: at(`${family}_objects`), unit: p.types[value].unit };
}
