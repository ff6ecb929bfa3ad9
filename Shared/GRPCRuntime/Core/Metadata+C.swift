import CGRPC

extension Metadata {
    /// Reads a received metadata array. Its keys and values belong to the
    /// call; the array itself is destroyed by its owner (the batch slots).
    init(reading array: UnsafePointer<grpc_metadata_array>) {
        self.init()
        let count = array.pointee.count
        reserveCapacity(count)
        guard count > 0, let entries = array.pointee.metadata else { return }
        for index in 0..<count {
            let key = withUnsafePointer(to: entries[index].key) { Slice.string($0) }
            if Metadata.isBinaryKey(key) {
                appendReceived(key, .binary(withUnsafePointer(to: entries[index].value) { Slice.bytes($0) }))
            } else {
                appendReceived(key, .string(withUnsafePointer(to: entries[index].value) { Slice.string($0) }))
            }
        }
    }
}

/// Metadata laid out for the core: an array of `grpc_metadata` whose key and
/// value slices this object owns. Ownership: created by the batch that sends
/// it, freed (slices unref'd, array deallocated) when that batch completes.
struct OutgoingMetadata {
    let entries: UnsafeMutablePointer<grpc_metadata>?
    let count: Int

    init(_ metadata: Metadata) {
        count = metadata.count
        guard count > 0 else { entries = nil; return }
        let entries = UnsafeMutablePointer<grpc_metadata>.allocate(capacity: count)
        for (index, element) in metadata.enumerated() {
            var entry = grpc_metadata()
            entry.key = Slice.make(element.key)
            switch element.value {
            case .string(let text): entry.value = Slice.make(text)
            case .binary(let bytes): entry.value = Slice.make(bytes)
            }
            (entries + index).initialize(to: entry)
        }
        self.entries = entries
    }

    func free() {
        guard let entries else { return }
        for index in 0..<count {
            grpc_slice_unref(entries[index].key)
            grpc_slice_unref(entries[index].value)
        }
        entries.deinitialize(count: count)
        entries.deallocate()
    }
}
