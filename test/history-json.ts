// Histories as JSON files, in the form `temporal workflow show --output json` and the SDK's
// historyToJSON write. The SDK's own converters (@temporalio/common/lib/proto-utils) throw "type must
// be a Type" in this install: npm gives @temporalio/common and @temporalio/proto each a copy of
// protobufjs 8 (the top level holds @grpc/proto-loader's protobufjs 7), and common's ProtoJSON does
// not take the types of proto's copy. These use the ProtoJSON of the copy @temporalio/proto uses.
import { createRequire } from 'module';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

const fromProto = createRequire(require.resolve('@temporalio/proto/package.json'));
const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyToJSON(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/** A history from such a file (fields a newer server added are passed over). */
export function historyFromJSON(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
