import StorageProtocol

/// A transaction's payload, decoded once according to its kind.
enum DecodedPayload: Sendable {
    case faucet(FaucetPayload)
    case registerBlobber(RegisterBlobberPayload)
    case updateBlobber(UpdateBlobberPayload)
    case createAllocation(CreateAllocationPayload)
    case submitChain(SubmitChainPayload)
    case challengeResponse(ChallengeResponsePayload)
    case finalizeAllocation(FinalizeAllocationPayload)
    case updateAllocation(UpdateAllocationPayload)
    case cancelAllocation(CancelAllocationPayload)
    case revokeTicket(RevokeTicketPayload)
    case peg(PegPayload)
    case issueChallenge(IssueChallengePayload)
    case challengeTimeout(ChallengeTimeoutPayload)

    init(decoding tx: LedgerTransaction) throws(TransactionError) {
        switch tx.kind {
        case .faucet: self = .faucet(try tx.decodePayload(as: FaucetPayload.self))
        case .registerBlobber: self = .registerBlobber(try tx.decodePayload(as: RegisterBlobberPayload.self))
        case .updateBlobber: self = .updateBlobber(try tx.decodePayload(as: UpdateBlobberPayload.self))
        case .createAllocation: self = .createAllocation(try tx.decodePayload(as: CreateAllocationPayload.self))
        case .submitChain: self = .submitChain(try tx.decodePayload(as: SubmitChainPayload.self))
        case .challengeResponse: self = .challengeResponse(try tx.decodePayload(as: ChallengeResponsePayload.self))
        case .finalizeAllocation:
            self = .finalizeAllocation(try tx.decodePayload(as: FinalizeAllocationPayload.self))
        case .updateAllocation: self = .updateAllocation(try tx.decodePayload(as: UpdateAllocationPayload.self))
        case .cancelAllocation: self = .cancelAllocation(try tx.decodePayload(as: CancelAllocationPayload.self))
        case .revokeTicket: self = .revokeTicket(try tx.decodePayload(as: RevokeTicketPayload.self))
        case .peg: self = .peg(try tx.decodePayload(as: PegPayload.self))
        case .issueChallenge: self = .issueChallenge(try tx.decodePayload(as: IssueChallengePayload.self))
        case .challengeTimeout: self = .challengeTimeout(try tx.decodePayload(as: ChallengeTimeoutPayload.self))
        }
    }
}
