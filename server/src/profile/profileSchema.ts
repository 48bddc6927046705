/**
 * pprof's `perftools.profiles` schema (github.com/google/pprof, proto/profile.proto) as a
 * protobufjs JSON descriptor, for `Root.fromJSON`: the field numbers and types are the ones Go's
 * own encoder writes (GOROOT/src/runtime/pprof/proto.go, `tagProfile_*`). Only what the join
 * reads is declared: protobufjs skips undeclared fields (mappings, labels, addresses, comments)
 * without building objects for them. `Profile.sample` (field 2) is left out of `Profile` on purpose:
 * decode.ts reads the samples one at a time with `Sample` (why: its header comment).
 */
export const PROFILE_SCHEMA = {
	nested: {
		perftools: {
			nested: {
				profiles: {
					nested: {
						Profile: {
							fields: {
								sampleType: { rule: 'repeated', type: 'ValueType', id: 1 },
								location: { rule: 'repeated', type: 'Location', id: 4 },
								function: { rule: 'repeated', type: 'Function', id: 5 },
								stringTable: { rule: 'repeated', type: 'string', id: 6 },
							},
						},
						ValueType: {
							fields: {
								type: { type: 'int64', id: 1 },
								unit: { type: 'int64', id: 2 },
							},
						},
						Sample: {
							fields: {
								// uint64 in pprof; read as uint32, which protobuf defines as compatible (the value's low
								// 32 bits). Go numbers locations 1..n, and ids past the dense table are undefined to
								// decode.ts anyway; as uint32 they are small integers, not 64-bit conversions (−15 %
								// CPU on the bench's 20 MB profile).
								locationId: { rule: 'repeated', type: 'uint32', id: 1 },
								value: { rule: 'repeated', type: 'int64', id: 2 },
							},
						},
						Location: {
							fields: {
								id: { type: 'uint64', id: 1 },
								line: { rule: 'repeated', type: 'Line', id: 4 },
							},
						},
						Line: {
							fields: {
								functionId: { type: 'uint64', id: 1 },
								line: { type: 'int64', id: 2 },
							},
						},
						Function: {
							fields: {
								id: { type: 'uint64', id: 1 },
								name: { type: 'int64', id: 2 },
								filename: { type: 'int64', id: 4 },
								startLine: { type: 'int64', id: 5 },
							},
						},
					},
				},
			},
		},
	},
} as const;
