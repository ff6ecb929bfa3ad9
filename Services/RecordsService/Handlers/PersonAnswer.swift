import Contracts
import Foundation

/// GetPerson's answer made from a person's profile on a given day: the exit
/// bans sorted into those in force that day and the others, and how long that
/// sorting holds, so that the answer can be kept ready (`ReadyAnswers`).
struct PersonAnswer {
    var response = Immigration_Records_V1_GetPersonResponse()
    /// The day the bans were sorted for (Vietnam time).
    let day: CalendarDay
    /// The first day on which a ban begins, ends or is lifted (the sorting
    /// may differ from then on); nil when none will.
    private(set) var freshUntil: CalendarDay?

    init(_ profile: PersonStore.Profile, today: CalendarDay) {
        day = today
        response.person = profile.person
        response.documents = profile.documents
        for (ban, term) in profile.exitBans {
            if term.isActive(on: today) { response.activeExitBans.append(ban) } else { response.otherExitBans.append(ban) }
        }
        freshUntil = ExitBanTerm.firstChange(of: profile.exitBans.map(\.term), after: today)
        response.recentCrossings = profile.recentCrossings
    }

    /// The answer encoded, to keep, with the generation and epoch `profile`
    /// was read with. Nil when it cannot be encoded (it is then not kept; the
    /// runtime answers INTERNAL for the call itself).
    func computed(personID: UUID, readWith profile: PersonStore.Profile) -> ReadyAnswers.Computed? {
        guard let body = try? response.serializedBytes() else { return nil }
        return ReadyAnswers.Computed(personID: personID, generation: profile.readyGeneration, epoch: profile.readyEpoch,
                                     body: body, writtenOn: day, freshUntil: freshUntil)
    }
}

extension Immigration_Records_V1_GetPersonResponse {
    /// A kept answer as it was encoded: its fields go out again exactly as
    /// stored, without being decoded (`UnknownFields(encodedFields:)`).
    init(kept body: [UInt8]) throws {
        self.init()
        unknownFields = try UnknownFields(encodedFields: body, messageType: "immigration.records.v1.GetPersonResponse")
    }
}
