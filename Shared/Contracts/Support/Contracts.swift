// The generated Swift API of Protos/ (Generated/, never hand-edited) and the
// few hand-written pieces it stands on (this folder). Conventions and how
// generation works: docs/contracts.md.

// Value types the generated API shows (ProtoTimestamp, UnknownFields,
// WireFormatError) come from ProtobufC; importing Contracts is enough to use them.
@_exported import ProtobufC
