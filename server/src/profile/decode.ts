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
	/** Unique frames; `stacks` and `leafFrames` refer to them by index. */
	frames: Frame[];
	/** Per sample: its frames, leaf first (inlined frames expanded). */
	stacks: Uint32Array[];
	/** Per sample: its values, in `types` order. */
	values: Float64Array[];
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
	const locations = new Map<number, number[]>();
	for (const loc of p.location) {
		const ids: number[] = [];
		for (const l of loc.line) {
			const fn = functions.get(num(l.functionId));
			ids.push(frameOf(fn?.name ?? '?', fn?.file ?? '', num(l.line), fn?.start ?? 0));
		}
		locations.set(num(loc.id), ids);
	}

	const stacks: Uint32Array[] = [];
	const values: Float64Array[] = [];
	let brokenLocations = 0;
	for (const s of p.sample) {
		const ids: number[] = [];
		let broken = false;
		for (const lid of s.locationId) {
			const fs = locations.get(num(lid));
			if (fs) for (const f of fs) ids.push(f);
			else broken = true;
		}
		if (broken) brokenLocations++;
		stacks.push(Uint32Array.from(ids));
		const v = new Float64Array(types.length);
		for (let i = 0; i < types.length; i++) v[i] = num(s.value[i]);
		values.push(v);
	}
	return { types, frames, stacks, values, brokenLocations };
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
