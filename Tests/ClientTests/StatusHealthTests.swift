@testable import Client
import Testing

/// `blob status`'s health word: each condition gives its own word, the worst winning, and an audit's
/// damage stops counting once a repair ran after it.
@Suite struct StatusHealthTests {
    func row(
        reachable: Bool = true, agrees: Bool = true, ledgerAgrees: Bool = true, audit: AuditLog.Entry? = nil
    ) -> AllocationStatus.Blobber {
        var row = AllocationStatus.Blobber(
            shardIndex: 0, blobberID: "", reachable: reachable, agrees: agrees, ledgerAgrees: ledgerAgrees)
        row.lastAudit = audit
        return row
    }

    @Test func eachConditionHasItsWord() {
        let damage = AuditLog.Entry(at: 2000, passed: 3, failed: 1)
        var repaired = damage
        repaired.repairedAt = 2500
        var repairedBefore = damage
        repairedBefore.repairedAt = 1000
        #expect(row().derivedHealth == "healthy")
        #expect(row(reachable: false, agrees: false, ledgerAgrees: false, audit: damage).derivedHealth == "unreachable")
        #expect(row(agrees: false, audit: damage).derivedHealth == "behind")
        #expect(row(ledgerAgrees: false, audit: damage).derivedHealth == "damaged")
        #expect(row(audit: repairedBefore).derivedHealth == "damaged")
        #expect(row(audit: repaired).derivedHealth == "healthy")
        #expect(row(audit: AuditLog.Entry(at: 2000, passed: 4, failed: 0)).derivedHealth == "healthy")
        #expect(row(ledgerAgrees: false).derivedHealth == "ledger_differs")
    }
}
