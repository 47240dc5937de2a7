public import Foundation
import Merkle

/// AWS Signature Version 4 as S3 checks it: the `Authorization: AWS4-HMAC-SHA256 ...` header and
/// presigned URLs (`X-Amz-Signature` in the query). Pure: the caller gives the request's parts.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path as sent, percent-encoded.
    public var rawPath: String
    /// The query as sent (after `?`), percent-encoded; empty when none.
    public var rawQuery: String
    /// Header names in lower case → values (the `Host` header included).
    public var headers: [String: String]

    public init(method: String, rawPath: String, rawQuery: String, headers: [String: String]) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
    }
}

/// What a verified signature gives the rest of the request: the key, and for aws-chunked bodies the
/// material to check each chunk's signature.
public struct SigV4Grant: Sendable {
    public let key: AccessKey
    let signingKey: [UInt8]
    public let amzDate: String
    public let scope: String
    public let seedSignature: String
    /// `x-amz-content-sha256` (or `UNSIGNED-PAYLOAD` for a presigned URL).
    public let payloadHash: String
}

public enum SigV4 {
    static let algorithm = "AWS4-HMAC-SHA256"

    /// Whether the request carries SigV4 at all (header or presigned).
    public static func isSigned(_ request: SigV4Request) -> Bool {
        (request.headers["authorization"] ?? "").hasPrefix(algorithm + " ")
            || queryPairs(request.rawQuery).contains { $0.name == "X-Amz-Signature" }
    }

    /// Verifies the signature with the key it names; `now` in Unix seconds.
    public static func verify(_ request: SigV4Request, keyring: AccessKeyring, now: Int64) throws(GatewayError)
        -> SigV4Grant
    {
        let pairs = queryPairs(request.rawQuery)
        let credential: String
        let signedHeaders: [String]
        let signature: String
        let amzDate: String
        let payloadHash: String
        var canonicalPairs = pairs
        if let authorization = request.headers["authorization"], authorization.hasPrefix(algorithm + " ") {
            var fields: [String: String] = [:]
            for part in authorization.dropFirst(algorithm.count + 1).split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
            }
            guard let c = fields["Credential"], let s = fields["SignedHeaders"], let g = fields["Signature"] else {
                throw .unauthenticated("the Authorization header lacks Credential, SignedHeaders or Signature")
            }
            credential = c
            signedHeaders = s.split(separator: ";").map(String.init)
            signature = g
            guard let date = request.headers["x-amz-date"] ?? request.headers["date"] else {
                throw .unauthenticated("the request has no X-Amz-Date")
            }
            amzDate = date
            guard let hash = request.headers["x-amz-content-sha256"] else {
                throw .unauthenticated("the request has no x-amz-content-sha256")
            }
            payloadHash = hash
            try checkClock(amzDate, now: now, validFor: 15 * 60, skewed: true)
        } else {
            func value(_ name: String) throws(GatewayError) -> String {
                guard let pair = pairs.first(where: { $0.name == name }) else {
                    throw .unauthenticated("the presigned URL lacks \(name)")
                }
                return pair.value
            }
            guard try value("X-Amz-Algorithm") == algorithm else {
                throw .unauthenticated("only AWS4-HMAC-SHA256 presigned URLs are accepted")
            }
            credential = try value("X-Amz-Credential")
            signedHeaders = try value("X-Amz-SignedHeaders").split(separator: ";").map(String.init)
            signature = try value("X-Amz-Signature")
            amzDate = try value("X-Amz-Date")
            guard let expires = Int64(try value("X-Amz-Expires")), (1...604_800).contains(expires) else {
                throw .unauthenticated("X-Amz-Expires must be 1...604800 seconds")
            }
            try checkClock(amzDate, now: now, validFor: expires, skewed: false)
            payloadHash = "UNSIGNED-PAYLOAD"
            canonicalPairs.removeAll { $0.name == "X-Amz-Signature" }
        }
        // Credential: AKID/DATE/REGION/SERVICE/aws4_request
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", parts[1].count == 8, amzDate.hasPrefix(parts[1]) else {
            throw .unauthenticated("the credential scope is malformed")
        }
        guard let key = keyring.key(accessKeyID: parts[0]) else {
            throw .unauthenticated(
                "the access key \(parts[0].prefix(64)) is not known to this gateway (InvalidAccessKeyId)")
        }
        guard signedHeaders.contains("host") else { throw .unauthenticated("the signature must cover the host header") }
        var canonicalHeaders = ""
        for name in signedHeaders {
            guard let value = request.headers[name] else {
                throw .signatureMismatch("signed header \(name) is not in the request")
            }
            canonicalHeaders += name + ":" + collapse(value) + "\n"
        }
        let canonicalRequest = [
            request.method, canonicalURI(request.rawPath), canonicalQuery(canonicalPairs), canonicalHeaders,
            signedHeaders.joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
        let scope = parts[1...4].joined(separator: "/")
        let stringToSign = [algorithm, amzDate, scope, hex(Digest.sha256(Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signingKey = Self.signingKey(
            secret: key.secretAccessKey, date: parts[1], region: parts[2], service: parts[3])
        let expected = hex(Digest.hmacSHA256(key: signingKey, Array(stringToSign.utf8)))
        guard constantTimeEqual(Array(expected.utf8), Array(signature.lowercased().utf8)) else {
            throw .signatureMismatch(
                "the request signature we calculated does not match the signature you provided; check your key and signing method"
            )
        }
        return SigV4Grant(
            key: key, signingKey: signingKey, amzDate: amzDate, scope: scope, seedSignature: expected,
            payloadHash: payloadHash)
    }

    static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        func mac(_ key: [UInt8], _ text: String) -> [UInt8] { Digest.hmacSHA256(key: key, Array(text.utf8)) }
        let kDate = mac(Array(("AWS4" + secret).utf8), date)
        return mac(mac(mac(kDate, region), service), "aws4_request")
    }

    /// The signature of one aws-chunked chunk (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`).
    static func chunkSignature(grant: SigV4Grant, previous: String, chunkHash: String) -> String {
        let emptyHash = hex(Digest.sha256([]))
        let text = ["AWS4-HMAC-SHA256-PAYLOAD", grant.amzDate, grant.scope, previous, emptyHash, chunkHash]
            .joined(separator: "\n")
        return hex(Digest.hmacSHA256(key: grant.signingKey, Array(text.utf8)))
    }

    /// `YYYYMMDDTHHMMSSZ` within `validFor` seconds after (and, `skewed`, before) `now`.
    static func checkClock(_ amzDate: String, now: Int64, validFor: Int64, skewed: Bool) throws(GatewayError) {
        guard let time = parseAmzDate(amzDate) else { throw .unauthenticated("X-Amz-Date is not YYYYMMDDTHHMMSSZ") }
        if skewed {
            guard abs(now - time) <= validFor else {
                throw .unauthenticated("the request time is too far from the gateway's clock (RequestTimeTooSkewed)")
            }
        } else {
            guard now >= time - 15 * 60 else { throw .unauthenticated("the presigned URL is not valid yet") }
            guard now <= time + validFor else { throw .unauthenticated("the presigned URL has expired") }
        }
    }

    static func parseAmzDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    static func collapse(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The path decoded once and encoded the AWS way (S3 does not double-encode).
    static func canonicalURI(_ rawPath: String) -> String {
        let path = rawPath.isEmpty ? "/" : rawPath
        return encode(percentDecode(path), keepSlash: true)
    }

    struct Pair: Sendable { var name: String; var value: String }

    static func queryPairs(_ raw: String) -> [Pair] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { item in
            if let equals = item.firstIndex(of: "=") {
                return Pair(
                    name: percentDecode(String(item[..<equals])),
                    value: percentDecode(String(item[item.index(after: equals)...])))
            }
            return Pair(name: percentDecode(String(item)), value: "")
        }
    }

    static func canonicalQuery(_ pairs: [Pair]) -> String {
        let encoded: [(name: String, value: String)] = pairs.map { pair in
            (name: encode(pair.name, keepSlash: false), value: encode(pair.value, keepSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding as AWS does it: unreserved bytes kept, every other byte `%XX` (upper case).
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x2F where keepSlash: out.append("/")
            default: out += "%" + String(format: "%02X", byte)
            }
        }
        return out
    }

    /// `%XX` decoded (a malformed escape is kept as is); the result's bytes may not be UTF-8.
    static func percentDecodeBytes(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        func digit(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: b - 0x30
            case 0x41...0x46: b - 0x41 + 10
            case 0x61...0x66: b - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, let high = digit(bytes[index + 1]),
                let low = digit(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    static func percentDecode(_ text: String) -> String { String(decoding: percentDecodeBytes(text), as: UTF8.self) }
}

func hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(bytes) }
