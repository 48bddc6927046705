/** The registry of memory pattern rules (one file per rule; ids as in the rule specification). */
import type { Rule } from './types';
import { poolPutNonPointer } from './poolPutNonPointer';
import { poolPutLocalAddress } from './poolPutLocalAddress';
import { poolNewNonPointer } from './poolNewNonPointer';
import { poolGetWithoutReset } from './poolGetWithoutReset';
import { poolPutMissing } from './poolPutMissing';
import { poolUseAfterPut } from './poolUseAfterPut';
import { loopvarCapture } from './loopvarCapture';
import { loopvarAddress } from './loopvarAddress';
import { loopvarRedundantCopy } from './loopvarRedundantCopy';
import { finalizerSelfReference } from './finalizerSelfReference';
import { cgoCstringLeak } from './cgoCstringLeak';
import { uintptrStoredPointer } from './uintptrStoredPointer';
import { timeAfterInLoop } from './timeAfterInLoop';
import { deferInLoop } from './deferInLoop';
import { subsliceRetention } from './subsliceRetention';
import { lockCopyByValue } from './lockCopyByValue';
import { goroutineAppendRace } from './goroutineAppendRace';

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
