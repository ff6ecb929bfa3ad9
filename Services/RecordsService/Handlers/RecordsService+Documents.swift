import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    nonisolated(nonsending) func issueDocument(request: Immigration_Records_V1_IssueDocumentRequest,
                       context: ServerContext) async throws -> Immigration_Records_V1_IssueDocumentResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let details = checks.run { () throws(ValidationErrors) in try RequestInput.documentDetails(request.details) }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await documents.issue(requestID: requestID!, request: try request.serializedBytes(), personID: personID!,
                                      details: details!, provenance: provenance!)
        }
    }

    nonisolated(nonsending) func changeDocumentStatus(request: Immigration_Records_V1_ChangeDocumentStatusRequest,
                              context: ServerContext) async throws -> Immigration_Records_V1_ChangeDocumentStatusResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let personID = checks.one { () throws(ValidationError) in
            try RequestInput.uuid(request.document?.personID ?? "", field: "document.person_id")
        }
        let documentID = checks.one { () throws(ValidationError) in
            try RequestInput.uuid(request.document?.documentID ?? "", field: "document.document_id")
        }
        let target = checks.one { () throws(ValidationError) in
            try DocumentLifecycle.validatedTarget(request.targetStatus.rule, field: "target_status")
        }
        if request.reason.trimmed.isEmpty || request.reason.count > 1000 {
            checks.add("reason", "required", "why the status changes, up to 1000 characters")
        }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await documents.changeStatus(requestID: requestID!, request: try request.serializedBytes(), personID: personID!,
                                             documentID: documentID!, target: target!, reason: request.reason,
                                             expectedVersion: request.expectedVersion, provenance: provenance!)
        }
    }

    nonisolated(nonsending) func getDocument(request: Immigration_Records_V1_GetDocumentRequest,
                     context: ServerContext) async throws -> Immigration_Records_V1_GetDocumentResponse {
        let selector = try RequestInput.selector(request.document)
        return try await handle {
            guard let (personID, documentID) = try await documents.resolve(selector),
                  let response = try await documents.get(personID: personID, documentID: documentID) else {
                throw StoreError.notFound("document")
            }
            return response
        }
    }

    nonisolated(nonsending) func listDocuments(request: Immigration_Records_V1_ListDocumentsRequest,
                       context: ServerContext) async throws -> Immigration_Records_V1_ListDocumentsResponse {
        var checks = Checks()
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) }
        let offset = checks.one { () throws(ValidationError) in try PageToken.offset(request.pageToken) }
        var kinds: [DocumentKind] = []
        for (index, kind) in request.kinds.enumerated() {
            if let rule = kind.rule { kinds.append(rule) } else { checks.add("kinds[\(index)]", "known_kind", "a document kind") }
        }
        var statuses: [DocumentStatus] = []
        for (index, status) in request.statuses.enumerated() {
            if let rule = status.rule { statuses.append(rule) } else { checks.add("statuses[\(index)]", "known_status", "a document status") }
        }
        try checks.throwIfAny()
        return try await handle {
            guard try await persons.get(personID: personID!) != nil else { throw StoreError.notFound("person") }
            let found = try await documents.list(personID: personID!, kinds: kinds, statuses: statuses, offset: offset!, limit: size! + 1)
            var response = Immigration_Records_V1_ListDocumentsResponse()
            response.documents = Array(found.prefix(size!))
            if found.count > size! { response.nextPageToken = PageToken.make([String(offset! + size!)]) }
            return response
        }
    }
}
