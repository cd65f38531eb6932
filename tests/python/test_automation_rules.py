"""boto3 (and the aws CLI, when installed) against `hubtriage serve`'s automation-rule operations.

Run by `cargo test` (tests/rules_serve.rs, `automation_rules_python_suite`) with HUBTRIAGE_BIN set to
the binary. The server, store, HOME and AWS settings are the test's own (`ServerCase` in
test_aws_clients.py), signed as the key of account 111111111111 named alice.
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from test_aws_clients import ServerCase, aws_executable  # noqa: E402

LOW = {"SeverityLabel": [{"Value": "LOW", "Comparison": "EQUALS"}]}


def note(text):
    return [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": {"Note": {"Text": text, "UpdatedBy": "rules"}}}]


class AutomationRules(ServerCase):
    auth = True
    access_key, secret_key = "AKIDADMIN", "admin/secret+key"

    def test_create_get_list_update_delete_and_apply_on_import(self):
        c = self.client
        arn = c.create_automation_rule(
            RuleName="note low", Description="low findings get a note", RuleOrder=1, IsTerminal=True,
            Criteria=LOW, Actions=note("auto-triaged"), Tags={"team": "sec"})["RuleArn"]
        self.assertTrue(arn.startswith("arn:aws:securityhub:us-east-1:111111111111:automation-rule/"), arn)
        later = c.create_automation_rule(
            RuleName="never runs", Description="after the terminal rule", RuleOrder=2,
            Criteria=LOW, Actions=note("second"))["RuleArn"]

        findings = self.generate(60, 5)
        for f in findings:
            f["AwsAccountId"] = "111111111111"
        r = c.batch_import_findings(Findings=findings)
        self.assertEqual(r["FailedCount"], 0, r)
        low = c.get_findings(Filters=LOW, MaxResults=100)["Findings"]
        self.assertEqual(len(low), sum(1 for f in findings if f["Severity"]["Label"] == "LOW"))
        self.assertTrue(low)
        self.assertTrue(all(f["Note"]["Text"] == "auto-triaged" for f in low), [f.get("Note") for f in low])
        ident = {"Id": low[0]["Id"], "ProductArn": low[0]["ProductArn"]}
        identities = [rec["UpdateSource"]["Identity"] for rec in c.get_finding_history(FindingIdentifier=ident)["Records"]]
        self.assertIn(arn, identities)

        got = c.batch_get_automation_rules(AutomationRulesArns=[arn])["Rules"][0]
        self.assertEqual((got["RuleName"], got["RuleOrder"], got["IsTerminal"]), ("note low", 1, True))
        self.assertEqual(got["CreatedBy"], "alice")
        self.assertEqual(got["Criteria"], LOW)
        self.assertIn("CreatedAt", got)

        listed = c.list_automation_rules(MaxResults=1)
        self.assertEqual([m["RuleArn"] for m in listed["AutomationRulesMetadata"]], [arn])
        rest = c.list_automation_rules(MaxResults=1, NextToken=listed["NextToken"])
        self.assertEqual([m["RuleArn"] for m in rest["AutomationRulesMetadata"]], [later])

        up = c.batch_update_automation_rules(UpdateAutomationRulesRequestItems=[{"RuleArn": arn, "RuleStatus": "DISABLED"}])
        self.assertEqual(up["ProcessedAutomationRules"], [arn])
        self.assertEqual(c.batch_get_automation_rules(AutomationRulesArns=[arn])["Rules"][0]["RuleStatus"], "DISABLED")

        if aws_executable():
            out = json.loads(self.aws("list-automation-rules").stdout)
            self.assertEqual(len(out["AutomationRulesMetadata"]), 2)

        gone = c.batch_delete_automation_rules(AutomationRulesArns=[arn, later])
        self.assertEqual(sorted(gone["ProcessedAutomationRules"]), sorted([arn, later]))
        self.assertEqual(c.list_automation_rules()["AutomationRulesMetadata"], [])

    def test_a_bad_rule_is_invalid_input(self):
        with self.assertRaises(ClientError) as e:
            self.client.create_automation_rule(
                RuleName="x", Description="y", RuleOrder=1001, Criteria=LOW, Actions=note("z"))
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidInputException")
        self.assertIn("RuleOrder", e.exception.response["Error"]["Message"])
        missing = self.client.batch_get_automation_rules(
            AutomationRulesArns=["arn:aws:securityhub:us-east-1:111111111111:automation-rule/none"])
        self.assertEqual(missing["UnprocessedAutomationRules"][0]["ErrorCode"], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
