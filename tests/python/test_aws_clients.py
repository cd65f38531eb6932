"""The real aws CLI and boto3 against `hubtriage serve` (stdlib unittest).

Run by `cargo test` (tests/serve.rs, `aws_clients_python_suite`) with HUBTRIAGE_BIN set to the
binary; `.ci/run` installs awscli and boto3 in a venv first. Each test class starts its own server on
an OS-chosen loopback port with a temp store, HOME and AWS config, so nothing outside is read.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BIN = os.environ.get("HUBTRIAGE_BIN", "hubtriage")
AUTH = {
    "Keys": [
        {"AccessKeyId": "AKIDADMIN", "SecretAccessKey": "admin/secret+key", "AccountId": "111111111111",
         "UserName": "alice"},
    ]
}


def aws_executable():
    beside = os.path.join(os.path.dirname(sys.executable), "aws")
    return beside if os.path.exists(beside) else shutil.which("aws")


class ServerCase(unittest.TestCase):
    """Starts `hubtriage serve` for the class; `auth` adds --auth with AUTH."""

    auth = False
    access_key, secret_key = "AKIDTEST", "test-secret"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.store = os.path.join(d, "s.db")
        home = os.path.join(d, "home")
        os.makedirs(home)
        config = os.path.join(d, "aws-config")
        with open(config, "w") as f:
            f.write("[default]\nregion = us-east-1\n")
        cls.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "AWS_CONFIG_FILE": config,
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(d, "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": cls.access_key,
            "AWS_SECRET_ACCESS_KEY": cls.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }
        # boto3 in this process reads the same hermetic settings.
        # HUBTRIAGE_* of the caller (account, user, store) must not reach the server either.
        for k in list(os.environ):
            if k.startswith("AWS_") or k.startswith("HUBTRIAGE_"):
                del os.environ[k]
        os.environ.update({k: v for k, v in cls.env.items() if k != "PATH"})
        args = [BIN, "--store", cls.store, "serve", "--listen", "127.0.0.1:0"]
        if cls.auth:
            path = os.path.join(d, "auth.json")
            with open(path, "w") as f:
                json.dump(AUTH, f)
            args += ["--auth", path]
        cls.server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.server.stdout.readline()
        if not line.startswith("listening on http://"):
            cls.server.kill()
            raise RuntimeError("server did not start: %r %s" % (line, cls.server.stderr.read()))
        cls.endpoint = line.strip().split("listening on ", 1)[1]
        cls.client = boto3.client(
            "securityhub", endpoint_url=cls.endpoint, region_name="us-east-1",
            aws_access_key_id=cls.access_key, aws_secret_access_key=cls.secret_key,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}))

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        cls.server.wait(timeout=30)
        cls.server.stdout.close()
        cls.server.stderr.close()
        cls.tmp.cleanup()

    def generate(self, count, seed):
        out = subprocess.run([BIN, "generate", "--count", str(count), "--seed", str(seed)],
                             check=True, capture_output=True)
        return json.loads(out.stdout)["Findings"]

    def aws(self, *args, check=True):
        cmd = [aws_executable(), "securityhub", *args, "--endpoint-url", self.endpoint, "--output", "json"]
        p = subprocess.run(cmd, capture_output=True, text=True, env=self.env)
        if check and p.returncode != 0:
            self.fail("aws %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p


class NoAuth(ServerCase):
    def test_cli_and_boto3_import_get_page_update_history(self):
        findings = self.generate(250, 21)
        # The aws CLI imports the first 100 from a file.
        path = os.path.join(self.tmp.name, "import.json")
        with open(path, "w") as f:
            json.dump({"Findings": findings[:100]}, f)
        out = json.loads(self.aws("batch-import-findings", "--cli-input-json", "file://" + path).stdout)
        self.assertEqual((out["SuccessCount"], out["FailedCount"]), (100, 0))
        # boto3 the rest.
        for i in range(100, 250, 100):
            r = self.client.batch_import_findings(Findings=findings[i:i + 100])
            self.assertEqual(r["FailedCount"], 0, r)

        # Paging: botocore's paginator follows NextToken; every finding once.
        pages = self.client.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": 40})
        ids = [f["Id"] for p in pages for f in p["Findings"]]
        self.assertEqual(len(ids), 250)
        self.assertEqual(len(set(ids)), 250)
        # The CLI pages by itself too.
        out = json.loads(self.aws("get-findings", "--page-size", "60").stdout)
        self.assertEqual(len(out["Findings"]), 250)

        # Filters, sorted.
        high = self.client.get_findings(
            Filters={"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}],
                     "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]},
            SortCriteria=[{"Field": "UpdatedAt", "SortOrder": "desc"}], MaxResults=100)["Findings"]
        self.assertTrue(high)
        self.assertTrue(all(f["Severity"]["Label"] == "HIGH" and f["RecordState"] == "ACTIVE" for f in high))
        expected = sum(1 for f in findings
                       if f.get("Severity", {}).get("Label") == "HIGH" and f.get("RecordState") == "ACTIVE")
        self.assertEqual(len(high), min(expected, 100))

        # BatchUpdateFindings with every field.
        target = [{"Id": f["Id"], "ProductArn": f["ProductArn"]} for f in high[:3]]
        related = [{"Id": findings[0]["Id"], "ProductArn": findings[0]["ProductArn"]}]
        r = self.client.batch_update_findings(
            FindingIdentifiers=target,
            Note={"Text": "triaged by boto3", "UpdatedBy": "py-tests"},
            Severity={"Label": "CRITICAL"},
            VerificationState="TRUE_POSITIVE",
            Confidence=90,
            Criticality=75,
            Types=["Effects/Data Exposure"],
            UserDefinedFields={"ticket": "SEC-9"},
            Workflow={"Status": "NOTIFIED"},
            RelatedFindings=related,
        )
        self.assertEqual(len(r["ProcessedFindings"]), 3, r)
        self.assertEqual(r["UnprocessedFindings"], [])
        got = self.client.get_findings(Filters={"Id": [{"Value": target[0]["Id"], "Comparison": "EQUALS"}]})
        f = got["Findings"][0]
        self.assertEqual(f["Note"]["Text"], "triaged by boto3")
        self.assertEqual(f["Severity"]["Label"], "CRITICAL")
        self.assertEqual(f["VerificationState"], "TRUE_POSITIVE")
        self.assertEqual((f["Confidence"], f["Criticality"]), (90, 75))
        self.assertEqual(f["Types"], ["Effects/Data Exposure"])
        self.assertEqual(f["UserDefinedFields"]["ticket"], "SEC-9")
        self.assertEqual(f["Workflow"]["Status"], "NOTIFIED")
        self.assertEqual(f["RelatedFindings"], related)

        # The CLI updates too, and history shows both.
        self.aws("batch-update-findings", "--finding-identifiers", json.dumps(target[:1]),
                 "--workflow", "Status=RESOLVED")
        hist = self.client.get_finding_history(FindingIdentifier=target[0])
        records = hist["Records"]
        self.assertEqual(records[0]["UpdateSource"]["Type"], "BATCH_UPDATE_FINDINGS")
        fields = {u["UpdatedField"] for r in records for u in r.get("Updates", [])}
        self.assertTrue({"Note.Text", "Severity.Label", "Workflow.Status", "Confidence"} <= fields, fields)
        self.assertTrue(any(r.get("FindingCreated") for r in records))
        # UpdateTime is a timestamp botocore parsed from ISO 8601.
        self.assertIsNotNone(records[0]["UpdateTime"].tzinfo)
        cli = json.loads(self.aws("get-finding-history", "--finding-identifier", json.dumps(target[0])).stdout)
        self.assertEqual(len(cli["Records"]), len(records))

    def test_documented_error_shapes(self):
        too_many = [{"Id": "f-%d" % i, "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"}
                    for i in range(101)]
        with self.assertRaises(ClientError) as e:
            self.client.batch_update_findings(FindingIdentifiers=too_many, Workflow={"Status": "RESOLVED"})
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidInputException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(e.exception.response["ResponseMetadata"]["RequestId"])

        with self.assertRaises(ClientError) as e:
            self.client.batch_update_findings(FindingIdentifiers=too_many[:1], Confidence=101)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidInputException")

        r = self.client.batch_update_findings(FindingIdentifiers=too_many[:1], Workflow={"Status": "RESOLVED"})
        self.assertEqual(r["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound")

        bad = self.generate(1, 3)[0]
        del bad["Title"]
        # botocore would refuse it client-side; the server's own answer is the point here.
        unchecked = boto3.client("securityhub", endpoint_url=self.endpoint, region_name="us-east-1",
                                 config=Config(parameter_validation=False, retries={"max_attempts": 1}))
        r = unchecked.batch_import_findings(Findings=[bad])
        self.assertEqual(r["FailedCount"], 1)
        self.assertEqual(r["FailedFindings"][0]["ErrorCode"], "InvalidInput")

        p = self.aws("batch-update-findings", "--finding-identifiers", json.dumps(too_many),
                     "--workflow", "Status=RESOLVED", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("InvalidInputException", p.stderr)

    def test_hub_setup_calls(self):
        with self.assertRaises(ClientError) as e:
            self.client.describe_hub()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidAccessException")
        self.client.enable_security_hub(EnableDefaultStandards=False)
        with self.assertRaises(ClientError) as e:
            self.client.enable_security_hub()
        self.assertEqual(e.exception.response["Error"]["Code"], "ResourceConflictException")
        hub = json.loads(self.aws("describe-hub").stdout)
        self.assertTrue(hub["HubArn"].startswith("arn:aws:securityhub:us-east-1:"))


class WithAuth(ServerCase):
    auth = True
    access_key, secret_key = "AKIDADMIN", "admin/secret+key"

    def test_signed_requests_act_as_the_mapped_account(self):
        findings = self.generate(3, 8)
        for f in findings[:2]:
            f["AwsAccountId"] = "111111111111"
        r = self.client.batch_import_findings(Findings=findings)
        self.assertEqual((r["SuccessCount"], r["FailedCount"]), (2, 1), r)
        self.assertEqual(r["FailedFindings"][0]["ErrorCode"], "AccessDeniedException")
        ident = {"Id": findings[0]["Id"], "ProductArn": findings[0]["ProductArn"]}
        self.client.batch_update_findings(FindingIdentifiers=[ident], Workflow={"Status": "SUPPRESSED"})
        hist = self.client.get_finding_history(FindingIdentifier=ident)
        self.assertEqual(hist["Records"][0]["UpdateSource"]["Identity"], "alice")
        out = json.loads(self.aws("get-findings").stdout)
        self.assertEqual(len(out["Findings"]), 2)

    def test_wrong_secret_and_unknown_key_are_refused(self):
        wrong = boto3.client("securityhub", endpoint_url=self.endpoint, region_name="us-east-1",
                             aws_access_key_id="AKIDADMIN", aws_secret_access_key="not-the-secret",
                             config=Config(retries={"max_attempts": 1}))
        with self.assertRaises(ClientError) as e:
            wrong.get_findings()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        env = dict(self.env, AWS_ACCESS_KEY_ID="AKIDNOBODY")
        p = subprocess.run([aws_executable(), "securityhub", "get-findings", "--endpoint-url", self.endpoint],
                           capture_output=True, text=True, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("UnrecognizedClientException", p.stderr)


if __name__ == "__main__":
    if not aws_executable():
        sys.exit("the aws CLI is not installed (pip install awscli)")
    unittest.main(verbosity=2)
