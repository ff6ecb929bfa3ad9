import Contracts
import SyntheticIntake
import SyntheticPopulation

/// Turns the synthetic population into RecordsService requests: the
/// checkpoints, and the intake rows of `SyntheticIntake` cut into batches.
enum DemoRecords {
    static let batchSize = 500

    static var provenance: Immigration_Common_V1_Provenance {
        .with {
            $0.source = .convertedDatabase
            $0.unitCode = "A08"
            $0.actorID = "immigctl-demo-data"
        }
    }

    static func upsert(_ checkpoint: SyntheticCheckpoint, seed: UInt64) -> Immigration_Records_V1_UpsertCheckpointRequest {
        .with {
            $0.requestID = uuid(seed: seed, salt: "checkpoint-\(checkpoint.code)")
            $0.provenance = provenance
            $0.checkpoint = SyntheticIntake.checkpoint(checkpoint)
        }
    }

    /// Persons first, then their documents, then their crossings, in batches.
    static func batches(_ population: SyntheticPopulation, persons count: Int, seed: UInt64) -> [Immigration_Records_V1_BulkIntakeRequest] {
        let grouped = SyntheticIntake.rows(population, persons: 0..<count)
        var rows = grouped.persons + grouped.documents + grouped.crossings
        for index in rows.indices { rows[index].rowNumber = Int64(index + 1) }
        let jobID = uuid(seed: seed, salt: "intake-\(count)")
        let chunks = stride(from: 0, to: rows.count, by: batchSize).map { Array(rows[$0..<min($0 + batchSize, rows.count)]) }
        return chunks.enumerated().map { index, chunk in
            .with {
                $0.jobID = jobID
                if index == 0 {
                    $0.job = .with {
                        $0.sourceSystem = "demo-synthetic-\(seed)"
                        $0.description = "synthetic demo population, seed \(seed)"
                        $0.provenance = provenance
                    }
                }
                $0.batchSequence = Int64(index + 1)
                $0.rows = chunk
                $0.lastBatch = index == chunks.count - 1
            }
        }
    }

    /// A stable UUID-shaped id from the seed and a salt (FNV-1a, twice), so a
    /// second run sends the same request ids and nothing is written twice.
    static func uuid(seed: UInt64, salt: String) -> String {
        func fnv(_ start: UInt64) -> UInt64 {
            var hash = start
            for byte in "\(seed)/\(salt)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
            return hash
        }
        let high = fnv(0xcbf29ce484222325), low = fnv(0x84222325cbf29ce4)
        let hex = String(format: "%016llx%016llx", high, low)
        let h = Array(hex)
        // Version 4 and variant bits, so that servers checking the UUID form accept it.
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-a" + String(h[17..<20]) + "-" + String(h[20..<32])
    }
}
