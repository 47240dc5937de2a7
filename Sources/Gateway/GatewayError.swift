public import Client

/// Everything the gateway refuses or fails at, with a stable code for the key-value API
/// (`gateway.*`, in JSON) and the S3 error code and status it answers on the S3 API.
public enum GatewayError: Error, CustomStringConvertible, Sendable {
    case invalidKey(reason: String)
    case invalidBucketName(String)
    case invalidRequest(String)
    case unauthenticated(String)
    case signatureMismatch(String)
    case accessDenied(String)
    case noSuchKey(String)
    case noSuchBucket(String)
    case bucketExists(String)
    case bucketNotEmpty(String)
    case invalidRange(String)
    case bodyTooLarge(String)
    case incompleteBody(String)
    case badDigest(String)
    case entityTooSmall(String)
    case invalidPart(String)
    case noSuchUpload(String)
    case malformedXML(String)
    case methodNotAllowed(String)
    case notImplemented(String)
    /// A pegged write whose peg the ledger did not record (nothing stored), or a check that could not
    /// reach the ledger.
    case pegFailed(String)
    /// `GET /verify/KEY`: the value, its metadata and the ledger's peg disagree.
    case pegMismatch(String)
    /// `GET /verify/KEY` of a value stored without a peg.
    case notPegged(String)
    case client(ClientError)
    case local(String)

    /// The key-value API's code.
    public var code: String {
        switch self {
        case .invalidKey: "gateway.invalid_key"
        case .invalidBucketName: "gateway.invalid_bucket_name"
        case .invalidRequest: "gateway.invalid_request"
        case .unauthenticated: "gateway.unauthenticated"
        case .signatureMismatch: "gateway.signature_mismatch"
        case .accessDenied: "gateway.access_denied"
        case .noSuchKey: "gateway.no_such_key"
        case .noSuchBucket: "gateway.no_such_bucket"
        case .bucketExists: "gateway.bucket_exists"
        case .bucketNotEmpty: "gateway.bucket_not_empty"
        case .invalidRange: "gateway.invalid_range"
        case .bodyTooLarge: "gateway.body_too_large"
        case .incompleteBody: "gateway.incomplete_body"
        case .badDigest: "gateway.bad_digest"
        case .entityTooSmall: "gateway.entity_too_small"
        case .invalidPart: "gateway.invalid_part"
        case .noSuchUpload: "gateway.no_such_upload"
        case .malformedXML: "gateway.malformed_xml"
        case .methodNotAllowed: "gateway.method_not_allowed"
        case .notImplemented: "gateway.not_implemented"
        case .pegFailed: "gateway.peg_failed"
        case .pegMismatch: "gateway.peg_mismatch"
        case .notPegged: "gateway.not_pegged"
        case .client(let error): error.code
        case .local: "gateway.local"
        }
    }

    /// S3's error code.
    public var s3Code: String {
        switch self {
        case .invalidKey: "InvalidArgument"
        case .invalidBucketName: "InvalidBucketName"
        case .invalidRequest: "InvalidRequest"
        case .unauthenticated: "AccessDenied"
        case .signatureMismatch: "SignatureDoesNotMatch"
        case .accessDenied: "AccessDenied"
        case .noSuchKey: "NoSuchKey"
        case .noSuchBucket: "NoSuchBucket"
        case .bucketExists: "BucketAlreadyOwnedByYou"
        case .bucketNotEmpty: "BucketNotEmpty"
        case .invalidRange: "InvalidRange"
        case .bodyTooLarge: "EntityTooLarge"
        case .incompleteBody: "IncompleteBody"
        case .badDigest: "XAmzContentSHA256Mismatch"
        case .entityTooSmall: "EntityTooSmall"
        case .invalidPart: "InvalidPart"
        case .noSuchUpload: "NoSuchUpload"
        case .malformedXML: "MalformedXML"
        case .methodNotAllowed: "MethodNotAllowed"
        case .notImplemented: "NotImplemented"
        case .pegFailed, .pegMismatch: "InternalError"
        case .notPegged: "InvalidRequest"
        case .client(let error):
            switch error {
            case .remoteNotFound: "NoSuchKey"
            case .allocationFull: "EntityTooLarge"
            default: "InternalError"
            }
        case .local: "InternalError"
        }
    }

    public var status: Int {
        switch self {
        case .invalidKey, .invalidBucketName, .invalidRequest, .incompleteBody, .badDigest, .entityTooSmall,
            .invalidPart, .malformedXML, .bodyTooLarge:
            400
        case .unauthenticated, .signatureMismatch, .accessDenied: 403
        case .noSuchKey, .noSuchBucket, .noSuchUpload: 404
        case .bucketExists, .bucketNotEmpty, .pegMismatch, .notPegged: 409
        case .pegFailed: 502
        case .invalidRange: 416
        case .methodNotAllowed: 405
        case .notImplemented: 501
        case .client(let error):
            switch error {
            case .remoteNotFound: 404
            case .invalidArgument: 400
            case .allocationFull: 400
            case .allocationBusy: 503
            default: 502
            }
        case .local: 500
        }
    }

    public var description: String {
        switch self {
        case .invalidKey(let reason): reason
        case .invalidBucketName(let name):
            "bucket name \(name.debugDescription) is not valid: 3 to 63 of a-z, 0-9, - and ., starting and ending with a letter or digit"
        case .invalidRequest(let text), .unauthenticated(let text), .signatureMismatch(let text),
            .accessDenied(let text), .invalidRange(let text), .bodyTooLarge(let text), .incompleteBody(let text),
            .badDigest(let text), .entityTooSmall(let text), .invalidPart(let text), .malformedXML(let text),
            .methodNotAllowed(let text), .notImplemented(let text), .local(let text), .pegFailed(let text),
            .pegMismatch(let text):
            text
        case .noSuchKey(let key): "no such key: \(key)"
        case .noSuchBucket(let bucket): "no such bucket: \(bucket)"
        case .bucketExists(let bucket): "bucket \(bucket) already exists"
        case .bucketNotEmpty(let bucket): "bucket \(bucket) is not empty"
        case .noSuchUpload(let id): "no such multipart upload: \(id)"
        case .notPegged(let key): "\(key) was stored without a peg: there is nothing to verify"
        case .client(let error): error.description
        }
    }
}
