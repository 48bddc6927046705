/**
 * pprof bytes → a compact, typed view of an allocation profile. The protobuf is decoded by
 * protobufjs (reflection over pprof's schema, profileSchema.ts); gzipped input (what `go test
 * -memprofile` and `net/http/pprof` write) is recognised by its magic bytes and inflated with
 * node:zlib. Pure: bytes in, data out.
 *
 * Go's heap profiles carry four sample types (`alloc_objects`, `alloc_space`, `inuse_objects`,
 * `inuse_space`), already scaled by the runtime from its sampled allocations; with
 * `-memprofilerate=1` every allocation is recorded, so the counts are exact. A location's lines are
 * listed innermost first (an inlined call's body before its caller), and a sample's locations leaf
 * first.
 *
 * Samples are most of a profile (385,000 of them in 20 MB): decoded one at a time and copied into
 * typed arrays at once, so that none outlives its turn (a decoded `Profile` holding them all as
 * objects spends most of its time in the garbage collector: bench/README.md, "profile decoders").
 */
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs/light';
import { PROFILE_SCHEMA } from './profileSchema';

// 64-bit fields as JS numbers, not long.js objects (one object per value costs more than the
// decode; byte counts stay exact below 2^53). Set here rather than left to whether `long` can be
// required at run time, which differs between node_modules and the bundle.
protobuf.util.Long = null as unknown as typeof protobuf.util.Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(PROFILE_SCHEMA);
const ProfileHead = root.lookupType('perftools.profiles.Profile');
const SampleMessage = root.lookupType('perftools.profiles.Sample');
/** `Profile.sample` (field 2, length-delimited): the only top-level field read one by one. */
const SAMPLE_TAG = (2 << 3) | 2;

interface Head {
	sampleType: { type: number; unit: number }[];
	location: { id: number; line: { functionId: number; line: number }[] }[];
	function: { id: number; name: number; filename: number; startLine: number }[];
	stringTable: string[];
}
interface SampleFields {
	locationId: number[];
	value: number[];
}

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
	try {
		return flatten(bytes, ProfileHead.decode(bytes) as unknown as Head);
	} catch (e) {
		if (e instanceof ProfileError) throw e;
		throw new ProfileError(`not a pprof profile: ${(e as Error).message}`);
	}
}

function flatten(bytes: Uint8Array, head: Head): DecodedProfile {
	const strings = head.stringTable;
	const str = (i: number) => strings[i] ?? '';
	const types = head.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
	if (types.length === 0) throw new ProfileError('not a pprof profile: it declares no sample types');
	const { frames, locations } = frameTable(head, str);

	// Flat arrays: one typed array per sample would cost more than the samples' own data.
	const nt = types.length;
	let stackStart = new Uint32Array(1024);
	let stackFrames = new Uint32Array(Math.max(1024, bytes.length >>> 1));
	let values = new Float64Array(1024 * nt);
	let n = 0;
	let at = 0;
	let brokenLocations = 0;
	const reader = protobuf.Reader.create(bytes);
	while (reader.pos < reader.len) {
		const tag = reader.uint32();
		if (tag !== SAMPLE_TAG) {
			reader.skipType(tag & 7);
			continue;
		}
		const s = SampleMessage.decode(reader, reader.uint32()) as unknown as SampleFields;
		if (n + 1 >= stackStart.length) {
			stackStart = grow(stackStart, n + 2);
			values = grow(values, (n + 1) * nt);
		}
		stackStart[n] = at;
		let broken = false;
		const lids = s.locationId;
		for (let k = 0; k < lids.length; k++) {
			const fs = locations[lids[k]];
			if (!fs) {
				broken = true;
				continue;
			}
			if (at + fs.length > stackFrames.length) stackFrames = grow(stackFrames, at + fs.length);
			for (let j = 0; j < fs.length; j++) stackFrames[at++] = fs[j];
		}
		if (broken) brokenLocations++;
		const sv = s.value;
		for (let t = 0; t < nt; t++) values[n * nt + t] = sv[t] ?? 0;
		n++;
	}
	stackStart[n] = at;
	return { types, frames, samples: n, stackStart: stackStart.subarray(0, n + 1), stackFrames: stackFrames.subarray(0, at), values: values.subarray(0, n * nt), brokenLocations };
}

/** Unique frames, and each location id's frames (innermost first). */
function frameTable(head: Head, str: (i: number) => string): { frames: Frame[]; locations: (number[] | undefined)[] } {
	const functions = new Map<number, { name: string; file: string; start: number }>();
	for (const f of head.function) functions.set(f.id, { name: str(f.name), file: str(f.filename), start: f.startLine });
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
	for (const loc of head.location) {
		const ids = loc.line.map((l) => {
			const fn = functions.get(l.functionId);
			return frameOf(fn?.name ?? '?', fn?.file ?? '', l.line, fn?.start ?? 0);
		});
		if (loc.id >= 0 && loc.id < 16 * (head.location.length + 16)) locations[loc.id] = ids;
	}
	return { frames, locations };
}

function grow<T extends Uint32Array | Float64Array>(a: T, need: number): T {
	const out = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, need));
	out.set(a);
	return out;
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
