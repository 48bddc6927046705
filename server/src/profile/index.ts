/**
 * The profile source (issue 12): an allocation profile decoded, mapped to the workspace and joined
 * with the compiler's facts. decode.ts (pprof bytes → frames and samples), map.ts (profile paths →
 * workspace files), funcLines.ts (lines of older builds checked against today's text), join.ts
 * (per-line costs), units.ts (labels), benchOutput.ts + runner.ts (go test -bench -memprofile),
 * modules.ts (the workspace's go.mod files).
 */
import { decodeProfile, type SampleType } from './decode';
import { joinProfile, type ProfileJoin } from './join';
import { SourceMapper, type ModuleRoot } from './map';

export { decodeProfile, ProfileError, SAMPLE_TYPES, type SampleType } from './decode';
export { factCosts, joinProfile, lineIndex, type Cost, type FactCost, type LineCost, type ProfileJoin, type StaleLine } from './join';
export { SourceMapper, type ModuleRoot } from './map';
export { findModuleRoots } from './modules';
export { costLabel, formatBytes, formatCount, formatDelta, formatShare } from './units';

/** Decodes `bytes` and joins it with the workspace's modules. Throws ProfileError on a bad profile. */
export function loadProfile(bytes: Uint8Array, opts: { sampleType: SampleType; modules: readonly ModuleRoot[]; goroot?: string; sourceOf: (file: string) => string | undefined }): ProfileJoin {
	return joinProfile(decodeProfile(bytes), { sampleType: opts.sampleType, mapper: new SourceMapper(opts.modules, opts.goroot), sourceOf: opts.sourceOf });
}
