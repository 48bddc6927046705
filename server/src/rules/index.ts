/** The registry of memory pattern rules (one file per rule; ids as in the rule specification). */
import type { Rule } from './types';
import { poolPutNonPointer } from './pool/poolPutNonPointer';
import { poolPutLocalAddress } from './pool/poolPutLocalAddress';
import { poolNewNonPointer } from './pool/poolNewNonPointer';
import { poolGetWithoutReset } from './pool/poolGetWithoutReset';
import { poolPutMissing } from './pool/poolPutMissing';
import { poolUseAfterPut } from './pool/poolUseAfterPut';
import { loopvarCapture } from './loopvar/loopvarCapture';
import { loopvarAddress } from './loopvar/loopvarAddress';
import { loopvarRedundantCopy } from './loopvar/loopvarRedundantCopy';
import { finalizerSelfReference } from './gc/finalizerSelfReference';
import { cgoCstringLeak } from './gc/cgoCstringLeak';
import { uintptrStoredPointer } from './gc/uintptrStoredPointer';
import { timeAfterInLoop } from './loops/timeAfterInLoop';
import { deferInLoop } from './loops/deferInLoop';
import { subsliceRetention } from './subslice/subsliceRetention';
import { lockCopyByValue } from './lock/lockCopyByValue';
import { goroutineAppendRace } from './loops/goroutineAppendRace';

export const ALL_RULES: readonly Rule[] = [
	poolPutNonPointer,
	poolPutLocalAddress,
	poolNewNonPointer,
	poolGetWithoutReset,
	poolPutMissing,
	poolUseAfterPut,
	loopvarCapture,
	loopvarAddress,
	loopvarRedundantCopy,
	finalizerSelfReference,
	cgoCstringLeak,
	uintptrStoredPointer,
	timeAfterInLoop,
	deferInLoop,
	subsliceRetention,
	lockCopyByValue,
	goroutineAppendRace,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.id, r]));
