"""boto3 against a running gateway: argv = endpoint access_key secret_key limited_access_key limited_secret.
Prints OK at the end; any failed check raises (non-zero exit)."""
import hashlib
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, access, secret, limited_access, limited_secret = sys.argv[1:6]
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                  region_name="us-east-1", config=config)


def code_of(call):
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("expected an error")


s3.create_bucket(Bucket="boto")
assert code_of(lambda: s3.create_bucket(Bucket="boto")) in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
body = bytes(range(256)) * 40
put = s3.put_object(Bucket="boto", Key="dir/a.bin", Body=body, ContentType="application/x-test",
                    Metadata={"colour": "blue"})
assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"]
head = s3.head_object(Bucket="boto", Key="dir/a.bin")
assert head["ContentLength"] == len(body)
assert head["ContentType"] == "application/x-test"
assert head["Metadata"] == {"colour": "blue"}, head["Metadata"]
ranged = s3.get_object(Bucket="boto", Key="dir/a.bin", Range="bytes=100-299")
assert ranged["Body"].read() == body[100:300]
assert ranged["ContentRange"] == "bytes 100-299/%d" % len(body)
assert s3.get_object(Bucket="boto", Key="dir/a.bin", Range="bytes=-10")["Body"].read() == body[-10:]
assert code_of(lambda: s3.get_object(Bucket="boto", Key="dir/a.bin", Range="bytes=99999-")) == "InvalidRange"
assert code_of(lambda: s3.get_object(Bucket="boto", Key="nothing")) == "NoSuchKey"
assert code_of(lambda: s3.get_object(Bucket="nobucket", Key="x")) == "NoSuchBucket"

s3.copy_object(Bucket="boto", Key="dir/copy.bin", CopySource={"Bucket": "boto", "Key": "dir/a.bin"})
assert s3.get_object(Bucket="boto", Key="dir/copy.bin")["Body"].read() == body
assert s3.head_object(Bucket="boto", Key="dir/copy.bin")["Metadata"] == {"colour": "blue"}

for name in ["b.txt", "c.txt", "sub/d.txt", "sub/e.txt", "z.txt"]:
    s3.put_object(Bucket="boto", Key="list/" + name, Body=name.encode())
page = s3.list_objects_v2(Bucket="boto", Prefix="list/", Delimiter="/")
assert [c["Key"] for c in page["Contents"]] == ["list/b.txt", "list/c.txt", "list/z.txt"], page
assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["list/sub/"], page
keys, token = [], None
for _ in range(10):
    args = {"Bucket": "boto", "Prefix": "list/", "MaxKeys": 2}
    if token:
        args["ContinuationToken"] = token
    page = s3.list_objects_v2(**args)
    keys += [c["Key"] for c in page.get("Contents", [])]
    if not page["IsTruncated"]:
        break
    token = page["NextContinuationToken"]
assert keys == ["list/b.txt", "list/c.txt", "list/sub/d.txt", "list/sub/e.txt", "list/z.txt"], keys
after = s3.list_objects_v2(Bucket="boto", Prefix="list/", StartAfter="list/sub/d.txt")
assert [c["Key"] for c in after["Contents"]] == ["list/sub/e.txt", "list/z.txt"]

assert code_of(lambda: s3.delete_bucket(Bucket="boto")) == "BucketNotEmpty"
deleted = s3.delete_objects(Bucket="boto", Delete={"Objects": [{"Key": "list/b.txt"}, {"Key": "list/c.txt"}]})
assert sorted(d["Key"] for d in deleted["Deleted"]) == ["list/b.txt", "list/c.txt"]
assert code_of(lambda: s3.head_object(Bucket="boto", Key="list/b.txt")) in ("404", "NoSuchKey")

# Multipart: a wrong part ETag is InvalidPart and commits nothing; the right ones give MD5-of-MD5s-N.
part1 = b"1" * (5 << 20)
part2 = b"2" * 1000
upload = s3.create_multipart_upload(Bucket="boto", Key="multi.bin", ContentType="application/x-multi")
uid = upload["UploadId"]
e1 = s3.upload_part(Bucket="boto", Key="multi.bin", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
e2 = s3.upload_part(Bucket="boto", Key="multi.bin", UploadId=uid, PartNumber=2, Body=part2)["ETag"]
parts = s3.list_parts(Bucket="boto", Key="multi.bin", UploadId=uid)["Parts"]
assert [p["PartNumber"] for p in parts] == [1, 2]
uploads = s3.list_multipart_uploads(Bucket="boto")["Uploads"]
assert [u["UploadId"] for u in uploads] == [uid]
bad = code_of(lambda: s3.complete_multipart_upload(
    Bucket="boto", Key="multi.bin", UploadId=uid,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}]}))
assert bad == "InvalidPart", bad
assert code_of(lambda: s3.head_object(Bucket="boto", Key="multi.bin")) in ("404", "NoSuchKey")
done = s3.complete_multipart_upload(
    Bucket="boto", Key="multi.bin", UploadId=uid,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
expected = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + "-2"
assert done["ETag"] == '"%s"' % expected, done["ETag"]
got = s3.get_object(Bucket="boto", Key="multi.bin")
assert got["ContentType"] == "application/x-multi"
assert hashlib.md5(got["Body"].read()).digest() == hashlib.md5(part1 + part2).digest()
aborted = s3.create_multipart_upload(Bucket="boto", Key="gone.bin")["UploadId"]
s3.abort_multipart_upload(Bucket="boto", Key="gone.bin", UploadId=aborted)
assert code_of(lambda: s3.list_parts(Bucket="boto", Key="gone.bin", UploadId=aborted)) == "NoSuchUpload"

# A key granted only the bucket "granted": refused elsewhere.
other = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=limited_access,
                     aws_secret_access_key=limited_secret, region_name="us-east-1", config=config)
assert code_of(lambda: other.put_object(Bucket="boto", Key="x", Body=b"x")) == "AccessDenied"
assert code_of(lambda: other.get_object(Bucket="boto", Key="dir/a.bin")) == "AccessDenied"
print("OK")
