/**
 * pprof's `perftools.profiles` schema (github.com/google/pprof, proto/profile.proto) as a
 * protobufjs JSON descriptor, for `Root.fromJSON`: the field numbers and types are the ones Go's
 * own encoder writes (GOROOT/src/runtime/pprof/proto.go, `tagProfile_*`). Only what the join
 * reads is declared: protobufjs skips undeclared fields (mappings, labels, addresses, comments)
 * without building objects for them.
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
