//! The product catalogue: which products send findings, how often each is picked, and the names
//! (ProductArn path, ProductName, CompanyName) Security Hub gives them. The findings themselves are
//! drafted per product in `compliance` (Security Hub controls, Config, Prowler), `inspector`,
//! `guardduty`, `exposure` (Macie, IAM Access Analyzer) and `operations` (Health, Patch Manager).

/// The products that send findings; each has its own module that drafts its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Product {
    SecurityHub,
    Inspector,
    GuardDuty,
    Prowler,
    Config,
    AccessAnalyzer,
    Macie,
    Health,
    PatchManager,
}

/// How often each product is picked, out of 1000 (the mix in the module doc of `generate`).
pub(super) const PRODUCTS: &[(Product, u32)] = &[
    (Product::SecurityHub, 500),
    (Product::Inspector, 200),
    (Product::GuardDuty, 90),
    (Product::Prowler, 60),
    (Product::Config, 40),
    (Product::AccessAnalyzer, 40),
    (Product::Macie, 30),
    (Product::Health, 20),
    (Product::PatchManager, 20),
];

impl Product {
    /// (product path in the ARN, ProductName, CompanyName)
    pub(super) fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Product::SecurityHub => ("aws/securityhub", "Security Hub", "AWS"),
            Product::Inspector => ("aws/inspector", "Inspector", "Amazon"),
            Product::GuardDuty => ("aws/guardduty", "GuardDuty", "Amazon"),
            Product::Prowler => ("prowler/prowler", "Prowler", "Prowler"),
            Product::Config => ("aws/config", "Config", "AWS"),
            Product::AccessAnalyzer => ("aws/access-analyzer", "IAM Access Analyzer", "AWS"),
            Product::Macie => ("aws/macie", "Macie", "Amazon"),
            Product::Health => ("aws/health", "Health", "AWS"),
            Product::PatchManager => ("aws/ssm-patch-manager", "Systems Manager Patch Manager", "AWS"),
        }
    }
}
