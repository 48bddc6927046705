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
 * Samples are most of a profile (385,000 of them in 20 MB) and are not kept: `readSamples` walks
 * the top level with protobufjs's Reader, decodes each `sample` field with the `Sample` decoder and
 * hands it to its caller in reused typed arrays, so that none outlives its turn. A decoded `Profile` holding them all as objects spends most of its time in the garbage
 * collector, and stacks copied into big typed arrays cost fresh memory (bench/README.md, "profile
 * decoders").
 */
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs/light';
import { PROFILE_SCHEMA } from './profileSchema';

// 64-bit fields as JS numbers, not long.js objects (one object per value costs more than the
// decode; byte counts stay exact below 2^53). Set here rather than left to whether `long` can be
// required at run time, which differs between node_modules and the bundle.
protobuf.util.Long = null as unknown as typeof protobuf.util.Long;
protobuf.configure();

// Built on first use: every CLI run loads this module, few decode a profile.
let types: { head: protobuf.Type; sample: protobuf.Type } | undefined;
function profileTypes(): { head: protobuf.Type; sample: protobuf.Type } {
	if (!types) {
		const root = protobuf.Root.fromJSON(PROFILE_SCHEMA);
		types = { head: root.lookupType('perftools.profiles.Profile'), sample: root.lookupType('perftools.profiles.Sample') };
	}
	return types;
}
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
	/** Unique frames; a sample's stack refers to them by index. */
	frames: Frame[];
	/** Decodes the samples (again, on each call) and calls `visit` for each, in the profile's order. */
	readSamples(visit: SampleVisitor): SampleCounts;
}

/**
 * One sample: its frames, leaf first (inlined frames expanded), are `stack[0 .. depth)`; its values,
 * in `types` order, are `values`. Both arrays are reused for the next sample: copy what you keep.
 */
export type SampleVisitor = (stack: Uint32Array, depth: number, values: Float64Array) => void;

export interface SampleCounts {
	samples: number;
	/** Samples whose stack had a location the profile does not define (counted, not dropped: their frames are left out). */
	brokenLocations: number;
}

export class ProfileError extends Error {}

/** True for gzip's magic bytes. */
export function isGzip(bytes: Uint8Array): boolean {
	return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes a pprof profile's tables, gzipped or not. Throws ProfileError on what is not one (`readSamples` too). */
export function decodeProfile(input: Uint8Array): DecodedProfile {
	let bytes = input;
	if (isGzip(bytes)) {
		try {
			bytes = gunzipSync(bytes, { chunkSize: outputHint(bytes) });
		} catch (e) {
			throw new ProfileError(`not a readable gzip file: ${(e as Error).message}`);
		}
	}
	let head: Head;
	try {
		head = profileTypes().head.decode(bytes) as unknown as Head;
	} catch (e) {
		throw notAProfile(e);
	}
	const strings = head.stringTable;
	const str = (i: number) => strings[i] ?? '';
	const types = head.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
	if (types.length === 0) throw new ProfileError('not a pprof profile: it declares no sample types');
	const table = frameTable(head, str);
	return { types, frames: table.frames, readSamples: (visit) => readSamples(bytes, types.length, table, visit) };
}

/**
 * zlib's output chunk size for a gzip file: its own record of the size (the last 4 bytes, modulo
 * 2^32), so that the output is one buffer rather than 16 kB chunks joined at the end (a third less
 * CPU on 20 MB). Only a hint: bounded by what deflate can expand to, and zlib adds chunks if short.
 */
function outputHint(gz: Uint8Array): number {
	const size = (gz[gz.length - 4] | (gz[gz.length - 3] << 8) | (gz[gz.length - 2] << 16) | (gz[gz.length - 1] << 24)) >>> 0;
	return Math.max(64 * 1024, Math.min(size + 64, gz.length * 1032, 512 * 2 ** 20));
}

const notAProfile = (e: unknown) => new ProfileError(`not a pprof profile: ${(e as Error).message}`);

function readSamples(bytes: Uint8Array, nt: number, t: FrameTable, visit: SampleVisitor): SampleCounts {
	let stack = new Uint32Array(256);
	const values = new Float64Array(nt);
	let samples = 0;
	let brokenLocations = 0;
	const reader = protobuf.Reader.create(bytes);
	const { sample } = profileTypes();
	while (reader.pos < reader.len) {
		let s: SampleFields;
		try {
			const tag = reader.uint32();
			if (tag !== SAMPLE_TAG) {
				reader.skipType(tag & 7);
				continue;
			}
			s = sample.decode(reader, reader.uint32()) as unknown as SampleFields;
		} catch (e) {
			throw notAProfile(e);
		}
		const lids = s.locationId;
		if (lids.length * t.maxFrames > stack.length) stack = new Uint32Array(lids.length * t.maxFrames * 2);
		let depth = 0;
		let broken = false;
		for (let k = 0; k < lids.length; k++) {
			const lid = lids[k];
			const to = lid < t.locTo.length ? t.locTo[lid] : 0;
			if (to === 0) broken = true;
			else for (let j = t.locFrom[lid]; j < to; j++) stack[depth++] = t.locFrames[j];
		}
		if (broken) brokenLocations++;
		const sv = s.value;
		for (let i = 0; i < nt; i++) values[i] = sv[i] ?? 0;
		samples++;
		visit(stack, depth, values);
	}
	return { samples, brokenLocations };
}

/**
 * Unique frames, and each location id's frames (innermost first): `locFrames[locFrom[id] ..
 * locTo[id])`; `locTo[id]` is 0 for an id the profile does not define. Location ids are small and
 * dense in what Go writes (1..n): tables indexed by id, not Maps, on the hot path; ids far beyond
 * the number of locations are treated as undefined.
 */
interface FrameTable {
	frames: Frame[];
	locFrom: Uint32Array;
	locTo: Uint32Array;
	locFrames: Uint32Array;
	/** The most frames one location has (inlined calls). */
	maxFrames: number;
}

function frameTable(head: Head, str: (i: number) => string): FrameTable {
	// Functions with the same name and file are one (their frames merge); an id no function has is `?`.
	const fns: { name: string; file: string; start: number; frameAt: Map<number, number> }[] = [];
	const fnKeys = new Map<string, number>();
	const fnOf = (name: string, file: string, start: number) => {
		const key = `${name}\u0000${file}`;
		let i = fnKeys.get(key);
		if (i === undefined) {
			fnKeys.set(key, (i = fns.length));
			fns.push({ name, file, start, frameAt: new Map() });
		}
		return i;
	};
	const fnById = new Map<number, number>();
	for (const f of head.function) fnById.set(f.id, fnOf(str(f.name), str(f.filename), f.startLine));
	const frames: Frame[] = [];
	const frameOf = (fnId: number, line: number) => {
		const fn = fns[fnById.get(fnId) ?? fnOf('?', '', 0)];
		let id = fn.frameAt.get(line);
		if (id === undefined) {
			fn.frameAt.set(line, (id = frames.length));
			frames.push({ func: fn.name, file: fn.file, line, startLine: fn.start });
		}
		return id;
	};
	const limit = 16 * (head.location.length + 16);
	let maxId = 0;
	for (const loc of head.location) if (loc.id < limit && loc.id > maxId) maxId = loc.id;
	const locFrom = new Uint32Array(maxId + 1);
	const locTo = new Uint32Array(maxId + 1);
	// Slot 0 is no frame: `locTo` 0 means undefined, so a defined location's frames start at 1 or later.
	const ids: number[] = [0];
	let maxFrames = 1;
	for (const loc of head.location) {
		if (loc.id <= 0 || loc.id >= limit) continue;
		locFrom[loc.id] = ids.length;
		for (const l of loc.line) ids.push(frameOf(l.functionId, l.line));
		locTo[loc.id] = ids.length;
		maxFrames = Math.max(maxFrames, loc.line.length);
	}
	return { frames, locFrom, locTo, locFrames: Uint32Array.from(ids), maxFrames };
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
