//! The catalogue of diagnostic codes. A code never changes meaning; each has an
//! explanation page (`dlc explain CODE`) with a failing example that a test runs.
//!
//! Codes are grouped by stage: DL00xx syntax, DL01xx names and imports,
//! DL02xx types, DL03xx domain checks (DL030x networks, DL031x names, DL032x
//! accounts, DL033x lifecycle, DL034x secrets, DL035x branches, DL036x
//! warehouse, DL037x audit table, DL038x pipelines, DL039x tags and templates).
//! DL09xx are not about a lake but about dlc's run: DL090x I/O, DL095x usage,
//! DL0999 a bug in dlc.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $id:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it: `DL0101`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)*
                }
            }

            /// The variant's name, `UndefinedName`: a rule name for SARIF.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => stringify!($variant),)*
                }
            }

            /// A one-line summary.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// The explanation page, in Markdown.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("explain/", $id, ".md")),)*
                }
            }
        }
    };
}

codes! {
    SyntaxError = "DL0001", Error, "syntax error";
    InvalidEscape = "DL0002", Error, "invalid escape sequence in a string";
    InvalidCidr = "DL0003", Error, "invalid CIDR literal";
    NumberOutOfRange = "DL0004", Error, "number out of range";
    InvalidSourceText = "DL0005", Error, "source file is not valid UTF-8 text";
    SourceTooLarge = "DL0006", Error, "source file too large";
    LimitExceeded = "DL0007", Error, "input too deep or too large to check";

    UndefinedName = "DL0101", Error, "undefined name";
    DuplicateDeclaration = "DL0102", Error, "duplicate declaration";
    ImportCycle = "DL0103", Error, "import cycle";
    DefinitionCycle = "DL0104", Error, "cycle in `extends` or in references";
    ImportNotFound = "DL0105", Error, "cannot import a file";
    MissingLake = "DL0106", Error, "no `lake` declaration";
    DuplicateLake = "DL0107", Error, "more than one `lake` declaration";
    UnknownStdModule = "DL0108", Error, "unknown standard library module";
    ExtendsNotEnvironment = "DL0109", Error, "`extends` names something that is not an environment";
    NoSuchField = "DL0110", Error, "reference to a field that does not exist";
    UndefinedType = "DL0111", Error, "undefined type";
    ImportOutsideProject = "DL0112", Error, "import outside the project";

    UnknownField = "DL0201", Error, "unknown field";
    MissingField = "DL0202", Error, "missing required field";
    TypeMismatch = "DL0203", Error, "type mismatch";
    RefinementViolation = "DL0204", Error, "value breaks its type's rule";
    InvalidVariant = "DL0205", Error, "invalid enum variant";
    DuplicateField = "DL0206", Error, "field given twice";
    NotInterpolable = "DL0207", Error, "value cannot be interpolated into a string";
    InvalidTypeDeclaration = "DL0208", Error, "invalid type declaration";

    CidrHostBits = "DL0301", Error, "CIDR range with host bits set";
    VpcPrefixOutOfRange = "DL0302", Error, "VPC range outside /16 to /28";
    NetworksOverlap = "DL0303", Error, "networks overlap";
    OutsideAddressPool = "DL0304", Error, "network outside the lake's address pool";
    SubnetPlanDoesNotFit = "DL0305", Error, "subnets do not fit in the VPC";
    NotEnoughAvailabilityZones = "DL0306", Error, "region has fewer availability zones than asked";
    LinkLocalVpcRange = "DL0307", Error, "VPC range in the link-local block";
    DockerBridgeVpcRange = "DL0308", Warning, "VPC range of Docker's default bridge network";
    NonPrivateVpcRange = "DL0309", Warning, "VPC range outside the private ranges of RFC 1918";
    InvalidBucketName = "DL0311", Error, "computed bucket name breaks S3's rules";
    DuplicateResourceName = "DL0312", Error, "two environments create the same name";
    DuplicateLogicalId = "DL0313", Error, "two names give one CloudFormation logical ID";
    RepeatedListEntry = "DL0314", Error, "an entry listed twice in one list";
    SharesDeploymentAccount = "DL0321", Warning, "environment in the deployment account";
    SharedAccountAndRegion = "DL0322", Warning, "environments share an account and region";
    TransitionAfterExpiry = "DL0331", Error, "transition at or after expiration";
    ExpiryBeforeMinimumDuration = "DL0332", Warning, "expiry before the storage class's minimum duration";
    InvalidLifecycleDuration = "DL0333", Error, "lifecycle duration not a positive whole number of days";
    NoncurrentAfterExpiry = "DL0334", Warning, "old versions kept as long as current objects";
    TransitionTooEarly = "DL0335", Error, "transition sooner than S3 allows";
    TransitionOrderRefused = "DL0336", Error, "transition S3 cannot make from the previous storage class";
    RepeatedTransitionClass = "DL0337", Error, "two transitions to one storage class";
    TransitionBeforeMinimumDuration = "DL0338", Error, "transition before the previous class's minimum storage duration";
    DestroyedWithApproval = "DL0339", Warning, "environment with manual approval deletes its data";
    SecretInSource = "DL0341", Error, "credential in the lake file";
    SecretInComment = "DL0342", Error, "credential in a comment";
    CredentialInUrl = "DL0343", Error, "URL with a password";
    SecretInTag = "DL0344", Error, "secret in a tag value";
    DuplicateBranch = "DL0351", Error, "two environments on one branch";
    InvalidBranchName = "DL0352", Error, "branch name git rejects";
    RetainedWithoutApproval = "DL0353", Warning, "retained environment without manual approval";
    BranchWrittenAsRef = "DL0354", Error, "branch written as a git ref";
    InvalidWarehouseCapacity = "DL0361", Error, "warehouse capacity Redshift rejects";
    PublicWarehouse = "DL0362", Warning, "publicly accessible warehouse";
    WarehouseNeedsThreeZones = "DL0363", Error, "warehouse in fewer than three availability zones";
    AuditKeyRepeated = "DL0371", Error, "audit table sort key repeats the partition key";
    InvalidConnectionArn = "DL0381", Error, "connection is not a CodeStar connection ARN";
    RepositoryGitSuffix = "DL0382", Error, "repository name ends in `.git`";
    AdministratorExecutionPolicy = "DL0383", Warning, "stacks deploy with AdministratorAccess by default";
    NoExecutionPolicy = "DL0384", Error, "empty list of execution policies";
    PipelineInOtherRegion = "DL0385", Error, "environment with a pipeline outside the deployment region";
    ForeignExecutionPolicy = "DL0386", Error, "execution policy of another account";
    UnpinnedBuildInstall = "DL0387", Warning, "build.install not pinned to an exact version or checksum";
    InvalidTagKey = "DL0391", Error, "tag key too long or reserved";
    InvalidTagValue = "DL0392", Error, "tag value too long or empty";
    InvalidTagCharacter = "DL0393", Error, "character AWS does not allow in a tag";
    TooManyTags = "DL0394", Error, "more tags on a resource than AWS allows";
    TemplateNeedsS3Bucket = "DL0395", Warning, "template too large to deploy without an S3 bucket";
    TemplateTooLarge = "DL0396", Error, "template over CloudFormation's 1 MB";
    TooManyResources = "DL0397", Error, "template over CloudFormation's 500 resources";
    TooManyOutputs = "DL0398", Error, "template over CloudFormation's 200 outputs";

    CannotRead = "DL0901", Error, "cannot read a file";
    NotAFile = "DL0902", Error, "a folder where a file is expected";
    CannotWrite = "DL0903", Error, "cannot write the output";
    OutputNotAFolder = "DL0904", Error, "output folder is not a folder";
    CannotReadThroughGit = "DL0905", Error, "cannot read the lake as committed at a git ref";
    NoSuchEnvironment = "DL0951", Error, "`--env` names no environment of the lake";
    UnknownCode = "DL0952", Error, "not a dlc diagnostic code";
    CannotFillDeclaration = "DL0953", Error, "pipeline declaration cannot be filled";
    DiffUsage = "DL0954", Error, "`dlc diff` needs two lakes, or one with `--base`";
    DeployRefused = "DL0955", Error, "`dlc deploy` refused before changing anything";
    InternalError = "DL0999", Error, "internal error in dlc";
}

impl Code {
    /// A code about dlc's run (I/O, usage, a bug), not about a lake: no lake
    /// file fires it, so it has no ui case; its page's example is a command.
    pub fn is_host(self) -> bool {
        self.as_str().starts_with("DL09")
    }

    /// Looks a code up by its text, in any case: `dl0101` finds `DL0101`.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Codes that no check fires any more, with the dlc version that retired
/// them. A retired code keeps its number and its page, which says why, so
/// that an old report still explains itself; its number is never reused.
const RETIRED: &[(Code, &str)] = &[
    // dlc writes cross-region pipelines.
    (Code::PipelineInOtherRegion, "0.1.0"),
];

impl Code {
    /// The version that retired this code, if it is retired.
    pub fn retired_since(self) -> Option<&'static str> {
        RETIRED
            .iter()
            .find(|(code, _)| *code == self)
            .map(|(_, version)| *version)
    }
}

/// Error codes whose diagnostics may come without a help, each with the
/// reason: every other error says what to write instead (tests/help.rs).
const NO_HELP: &[(Code, &str)] = &[
    // The parser knows what it expected, not what was meant; where a fix is
    // likely (`:` for `=`, a missing quote or brace) it gives a help.
    (
        Code::SyntaxError,
        "A syntax error lists the tokens the grammar accepts at that point; which one was meant is not known.",
    ),
];

impl Code {
    /// Why an error of this code may have no help, if it may not.
    pub fn no_help_reason(self) -> Option<&'static str> {
        NO_HELP
            .iter()
            .find(|(code, _)| *code == self)
            .map(|(_, reason)| *reason)
    }
}
