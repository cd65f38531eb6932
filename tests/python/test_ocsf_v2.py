"""boto3's get_findings_v2 and batch_update_findings_v2 against `hubtriage serve` (stdlib unittest).

Run by `cargo test` (tests/ocsf_python.rs) with HUBTRIAGE_BIN set to the binary, beside
test_aws_clients.py, whose ServerCase starts the server (its own loopback port, temp store, HOME and
AWS config). Each expected answer is computed here, in Python, from the generated findings, so the
server's filters are checked against an independent reading of the same rules.
"""

import json
import os
import re
import subprocess
import sys
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from test_aws_clients import BIN, ServerCase  # noqa: E402

COUNT = 180


def at(doc, path):
    """The values at a dotted path, through lists, as the V2 filters read them."""
    values = [doc]
    for part in path.split("."):
        nxt = []
        for v in values:
            if isinstance(v, dict) and part in v:
                got = v[part]
                nxt.extend(got if isinstance(got, list) else [got])
        values = nxt
    return values


def parse_dt(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


class V2Case(ServerCase):
    """The server with COUNT generated OCSF findings imported, and the helpers; no tests of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out = subprocess.run([BIN, "generate", "--count", str(COUNT), "--seed", "19", "--ocsf", "100"],
                             check=True, capture_output=True)
        cls.findings = json.loads(out.stdout)["Findings"]
        # A word in a title to look for in another case, and a tag on a few resources.
        cls.findings[0]["finding_info"]["title"] = "GuardDuty Lambda-Protection: odd invocation"
        cls.findings[1]["finding_info"]["title"] = "Lambdas everywhere"
        for f in cls.findings[:7]:
            f.setdefault("resources", [{"type": "AWS::S3::Bucket", "uid": "arn:aws:s3:::b"}])
            f["resources"][0]["tags"] = [{"name": "ticket", "value": "SEC-42"}]
        path = os.path.join(cls.tmp.name, "v2.json")
        with open(path, "w") as fh:
            json.dump({"Findings": cls.findings}, fh)
        subprocess.run([BIN, "--store", cls.store, "import", path], check=True, capture_output=True,
                       env=dict(cls.env, HUBTRIAGE_USER="tester"))
        cls.unchecked = boto3.client(
            "securityhub", endpoint_url=cls.endpoint, region_name="us-east-1",
            aws_access_key_id=cls.access_key, aws_secret_access_key=cls.secret_key,
            config=Config(parameter_validation=False, retries={"max_attempts": 1}))

    def all_uids(self, **kwargs):
        """Every finding of a request, following NextToken; each must come once."""
        uids, token = [], None
        while True:
            args = dict(kwargs, MaxResults=kwargs.get("MaxResults", 50))
            if token:
                args["NextToken"] = token
            r = self.client.get_findings_v2(**args)
            uids.extend(f["metadata"]["uid"] for f in r["Findings"])
            token = r.get("NextToken")
            if not token:
                break
        self.assertEqual(len(uids), len(set(uids)), "a finding came twice")
        return uids

    def expect(self, filters, predicate):
        got = set(self.all_uids(Filters=filters))
        want = {f["metadata"]["uid"] for f in self.findings if predicate(f)}
        self.assertTrue(want, "the test's data should have matches")
        self.assertEqual(got, want)

    def validation(self, call, **kwargs):
        with self.assertRaises(ClientError) as e:
            call(**kwargs)
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException", kwargs)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return e.exception.response["Error"]["Message"]

    def by_uid(self, uid):
        r = self.client.get_findings_v2(Filters={"CompositeFilters": [{"StringFilters": [
            {"FieldName": "metadata.uid", "Filter": {"Value": uid, "Comparison": "EQUALS"}}]}]})
        self.assertEqual(len(r["Findings"]), 1)
        return r["Findings"][0]


class V2Filters(V2Case):
    def test_paging_returns_each_finding_once(self):
        self.assertEqual(sorted(self.all_uids(MaxResults=37)), sorted(f["metadata"]["uid"] for f in self.findings))
        pages = self.client.get_paginator("get_findings_v2").paginate(PaginationConfig={"PageSize": 40})
        uids = [f["metadata"]["uid"] for p in pages for f in p["Findings"]]
        self.assertEqual((len(uids), len(set(uids))), (COUNT, COUNT))
        for n in (0, 101):
            self.validation(self.unchecked.get_findings_v2, MaxResults=n)

    def test_composite_filters_and_or_nested(self):
        high_new = {"StringFilters": [{"FieldName": "severity", "Filter": {"Value": "High", "Comparison": "EQUALS"}}],
                    "NumberFilters": [{"FieldName": "status_id", "Filter": {"Eq": 1}}]}
        self.expect({"CompositeFilters": [high_new]},
                    lambda f: f["severity"] == "High" and f["status_id"] == 1)
        either = dict(high_new, Operator="OR")
        self.expect({"CompositeFilters": [either]},
                    lambda f: f["severity"] == "High" or f["status_id"] == 1)
        vuln = {"StringFilters": [{"FieldName": "class_name",
                                   "Filter": {"Value": "Vulnerability Finding", "Comparison": "EQUALS"}}]}
        critical = {"NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 5}}]}
        self.expect({"CompositeFilters": [vuln, critical], "CompositeOperator": "OR"},
                    lambda f: f["class_name"] == "Vulnerability Finding" or f["severity_id"] >= 5)
        self.expect({"CompositeFilters": [vuln, critical], "CompositeOperator": "AND"},
                    lambda f: f["class_name"] == "Vulnerability Finding" and f["severity_id"] >= 5)
        nested = {"Operator": "AND",
                  "StringFilters": [{"FieldName": "cloud.region",
                                     "Filter": {"Value": "us-east-1", "Comparison": "EQUALS"}}],
                  "NestedCompositeFilters": [{"Operator": "OR", "NumberFilters": [
                      {"FieldName": "severity_id", "Filter": {"Eq": 4}},
                      {"FieldName": "status_id", "Filter": {"Eq": 3}}]}]}
        self.expect({"CompositeFilters": [nested]},
                    lambda f: f["cloud"]["region"] == "us-east-1" and (f["severity_id"] == 4 or f["status_id"] == 3))

    def test_string_date_number_boolean_map_filters(self):
        def s(field, value, comparison):
            return {"CompositeFilters": [{"StringFilters": [
                {"FieldName": field, "Filter": {"Value": value, "Comparison": comparison}}]}]}

        self.expect(s("metadata.product.uid", "arn:aws:securityhub:us-east-1::productv2/aws/", "PREFIX"),
                    lambda f: f["metadata"]["product"]["uid"].startswith("arn:aws:securityhub:us-east-1::productv2/aws/"))
        self.expect(s("resources.type", "AWS::EC2::", "PREFIX_NOT_EQUALS"),
                    lambda f: not any(t.startswith("AWS::EC2::") for t in at(f, "resources.type")))
        self.expect(s("finding_info.title", "should", "CONTAINS"), lambda f: "should" in f["finding_info"]["title"])
        # CONTAINS_WORD ignores case and wants the word on its own: "Lambdas" is not "lambda".
        word = re.compile(r"(?<![A-Za-z0-9])lambda(?![A-Za-z0-9])", re.I)
        self.expect(s("finding_info.title", "lambda", "CONTAINS_WORD"), lambda f: word.search(f["finding_info"]["title"]))
        got = set(self.all_uids(Filters=s("finding_info.title", "lambda", "CONTAINS_WORD")))
        self.assertIn(self.findings[0]["metadata"]["uid"], got)
        self.assertNotIn(self.findings[1]["metadata"]["uid"], got)

        # Dates: a range between two findings' times, so no bound equals a finding's time.
        times = sorted({parse_dt(f["finding_info"]["modified_time_dt"]) for f in self.findings})
        # Start and End are inclusive; the bounds are what was sent, to the millisecond.
        lo = parse_dt(iso(times[len(times) // 4] + timedelta(milliseconds=1)))
        hi = parse_dt(iso(times[3 * len(times) // 4]))
        self.expect({"CompositeFilters": [{"DateFilters": [{"FieldName": "finding_info.modified_time_dt",
                                                            "Filter": {"Start": iso(lo), "End": iso(hi)}}]}]},
                    lambda f: lo <= parse_dt(f["finding_info"]["modified_time_dt"]) <= hi)

        self.expect({"CompositeFilters": [{"NumberFilters": [
            {"FieldName": "vulnerabilities.cve.cvss.base_score", "Filter": {"Gte": 7.0}}]}]},
            lambda f: any(x >= 7.0 for x in at(f, "vulnerabilities.cve.cvss.base_score")))
        self.expect({"CompositeFilters": [{"BooleanFilters": [
            {"FieldName": "vulnerabilities.is_fix_available", "Filter": {"Value": True}}]}]},
            lambda f: True in at(f, "vulnerabilities.is_fix_available"))
        self.expect({"CompositeFilters": [{"MapFilters": [
            {"FieldName": "resources.tags", "Filter": {"Key": "ticket", "Value": "SEC-42", "Comparison": "EQUALS"}}]}]},
            lambda f: {"name": "ticket", "value": "SEC-42"} in at(f, "resources.tags"))

    def test_sort_criteria(self):
        r = self.client.get_findings_v2(SortCriteria=[{"Field": "severity_id", "SortOrder": "desc"}], MaxResults=100)
        ids = [f["severity_id"] for f in r["Findings"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(ids[0], max(f["severity_id"] for f in self.findings))
        uids = self.all_uids(SortCriteria=[{"Field": "finding_info.title", "SortOrder": "asc"}], MaxResults=33)
        self.assertEqual(len(uids), COUNT)
        title = {f["metadata"]["uid"]: f["finding_info"]["title"] for f in self.findings}
        titles = [title[u] for u in uids]
        self.assertEqual(titles, sorted(titles))


class V2Update(V2Case):
    """BatchUpdateFindingsV2 on a server of its own, so the filter tests' findings stay as generated."""

    def test_batch_update_findings_v2(self):
        f0, f1, f2 = self.findings[10], self.findings[11], self.findings[12]
        u0 = f0["metadata"]["uid"]
        triple = {"CloudAccountUid": f1["cloud"]["account"]["uid"], "FindingInfoUid": f1["finding_info"]["uid"],
                  "MetadataProductUid": f1["metadata"]["product"]["uid"]}

        # MetadataUids xor FindingIdentifiers.
        m = self.validation(self.client.batch_update_findings_v2, MetadataUids=[u0], FindingIdentifiers=[triple],
                            StatusId=4)
        self.assertIn("cannot be used together", m)
        self.validation(self.client.batch_update_findings_v2, StatusId=4)
        # Comment 1 to 512 characters, not blank; the ids in the service model's sets.
        for bad in ("", "   ", "x" * 513):
            self.validation(self.unchecked.batch_update_findings_v2, MetadataUids=[u0], Comment=bad)
        self.validation(self.client.batch_update_findings_v2, MetadataUids=[u0], StatusId=6)
        self.validation(self.client.batch_update_findings_v2, MetadataUids=[u0], SeverityId=7)
        self.validation(self.client.batch_update_findings_v2, MetadataUids=[u0])

        # By uid, with an unknown one: processed and unprocessed.
        r = self.client.batch_update_findings_v2(MetadataUids=[u0, "no-such-uid"], SeverityId=6, StatusId=99,
                                                 Comment="y" * 512)
        self.assertEqual([p["MetadataUid"] for p in r["ProcessedFindings"]], [u0])
        self.assertEqual(len(r["UnprocessedFindings"]), 1)
        self.assertEqual(r["UnprocessedFindings"][0]["MetadataUid"], "no-such-uid")
        self.assertEqual(r["UnprocessedFindings"][0]["ErrorCode"], "ResourceNotFoundException")
        g = self.by_uid(u0)
        self.assertEqual((g["severity_id"], g["severity"], g["status_id"], g["status"], g["comment"]),
                         (6, "Fatal", 99, "Other", "y" * 512))
        # The provider's times are never changed.
        self.assertEqual(g["finding_info"]["modified_time"], f0["finding_info"]["modified_time"])
        self.assertEqual(g["finding_info"]["modified_time_dt"], f0["finding_info"]["modified_time_dt"])
        self.assertEqual((g["time"], g["time_dt"]), (f0["time"], f0["time_dt"]))

        # By triple, with an unknown triple.
        unknown = dict(triple, FindingInfoUid="arn:aws:guardduty:us-east-1:000000000000:detector/x/finding/none")
        r = self.client.batch_update_findings_v2(FindingIdentifiers=[triple, unknown], StatusId=2, SeverityId=1)
        self.assertEqual([p["FindingIdentifier"] for p in r["ProcessedFindings"]], [triple])
        self.assertEqual(r["UnprocessedFindings"][0]["FindingIdentifier"], unknown)
        self.assertEqual(r["UnprocessedFindings"][0]["ErrorCode"], "ResourceNotFoundException")
        g = self.by_uid(f1["metadata"]["uid"])
        self.assertEqual((g["status_id"], g["status"], g["severity_id"], g["severity"]),
                         (2, "In Progress", 1, "Informational"))
        self.assertEqual(g["finding_info"]["modified_time_dt"], f1["finding_info"]["modified_time_dt"])
        # Every caption follows its id.
        captions = {0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived",
                    99: "Other"}
        u2 = f2["metadata"]["uid"]
        for status_id, caption in captions.items():
            self.client.batch_update_findings_v2(MetadataUids=[u2], StatusId=status_id)
            self.assertEqual(self.by_uid(u2)["status"], caption)
        severities = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical",
                      6: "Fatal", 99: "Other"}
        for severity_id, caption in severities.items():
            self.client.batch_update_findings_v2(MetadataUids=[u2], SeverityId=severity_id)
            self.assertEqual(self.by_uid(u2)["severity"], caption)


if __name__ == "__main__":
    unittest.main(verbosity=2)
