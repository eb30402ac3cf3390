//! The element tables: GB/T 36903 metadata and each built-in licence type's own elements.

use super::*;

/// The namespace of the common metadata (GB/T 36903) every licence carries: the licence root
/// itself. Each licence type's own elements live in a namespace named like its docType.
pub const COMMON_NAMESPACE: &str = LICENCE_ROOT;

/// Decoy digests added per namespace by [`issue`], so the MSO does not reveal how many
/// optional elements a licence holds.
pub const DECOYS_PER_NAMESPACE: usize = 2;

/// China Standard Time, UTC+8: licence dates are calendar dates there.
pub(super) const CST_OFFSET_SECS: i64 = 8 * 3600;

pub(super) const DAY_SECS: i64 = 86_400;

/// Which of a profile's two namespaces an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// [`COMMON_NAMESPACE`]: the GB/T 36903 metadata.
    Common,
    /// The licence type's namespace, named like its docType.
    Licence,
}

/// The type of an element's value, as the issuer checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementType {
    /// Non-empty text.
    Text,
    /// `full-date` (tag 1004).
    Date,
    /// `bool`.
    Bool,
    /// `uint`, ISO/IEC 5218: 1 male, 2 female.
    Sex,
    /// Non-empty byte string (a JPEG portrait).
    Bytes,
    /// Text: a strict GB/T 36904 [`LicenceId`].
    LicenceId,
    /// Text: a [`LicenceTypeCode`].
    LicenceTypeCode,
    /// Text: a [`Uscc`].
    Uscc,
    /// Text: a [`CitizenIdNumber`].
    CitizenId,
    /// Text: a citizen identity number or a USCC, as `holder_code_type` says.
    HolderCode,
    /// Text: a [`HolderCodeType`] code, `"111"` or `"001"`.
    HolderCodeType,
    /// Non-empty array of distinct [`VehicleClass`] codes.
    VehicleClasses,
}

impl ElementType {
    /// The CDDL of the encoded value.
    pub fn cddl(self) -> &'static str {
        match self {
            ElementType::Text
            | ElementType::LicenceId
            | ElementType::LicenceTypeCode
            | ElementType::Uscc
            | ElementType::CitizenId
            | ElementType::HolderCode
            | ElementType::HolderCodeType => "tstr",
            ElementType::Date => "full-date",
            ElementType::Bool => "bool",
            ElementType::Sex => "uint",
            ElementType::Bytes => "bstr",
            ElementType::VehicleClasses => "[+ tstr]",
        }
    }
}

/// Whether an element must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// Always issued; missing is [`ProfileError::MissingElement`].
    Mandatory,
    /// Issued when given.
    Optional,
    /// Computed by [`issue`] from other elements; giving it is
    /// [`ProfileError::DerivedElementSupplied`].
    Derived,
}

/// One element of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElementSpec {
    /// Its namespace.
    pub namespace: Namespace,
    /// The element identifier.
    pub identifier: &'static str,
    /// Display name in Chinese (simplified characters, as printed on the licence).
    pub name_zh: &'static str,
    /// Display name in English.
    pub name_en: &'static str,
    /// The value's type.
    pub element_type: ElementType,
    /// Whether it must be given.
    pub presence: Presence,
}

pub(super) const fn el(
    namespace: Namespace,
    identifier: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    element_type: ElementType,
    presence: Presence,
) -> ElementSpec {
    ElementSpec {
        namespace,
        identifier,
        name_zh,
        name_en,
        element_type,
        presence,
    }
}

use ElementType as T;
use Namespace::{Common as C, Licence as L};
use Presence::{Derived as D, Mandatory as M, Optional as O};

/// GB/T 36903-2018 metadata: every licence carries these in [`COMMON_NAMESPACE`].
/// `validity_end` is required unless `validity_long_term` is true, and forbidden if it is.
#[rustfmt::skip]
pub(super) const COMMON: &[ElementSpec] = &[
    el(C, "licence_id", "证照标识", "licence identifier", T::LicenceId, M),
    el(C, "licence_name", "证照名称", "licence name", T::Text, M),
    el(C, "licence_type_code", "证照类型代码", "licence type code", T::LicenceTypeCode, M),
    el(C, "licence_number", "证照编号", "licence number", T::Text, M),
    el(C, "issuing_authority", "证照颁发机构", "issuing authority", T::Text, M),
    el(C, "issuing_authority_code", "证照颁发机构代码", "issuing authority code", T::Uscc, M),
    el(C, "issue_date", "证照颁发日期", "date of issue", T::Date, M),
    el(C, "holder_name", "持证主体", "holder", T::Text, M),
    el(C, "holder_code", "持证主体代码", "holder code", T::HolderCode, M),
    el(C, "holder_code_type", "持证主体代码类型", "holder code type", T::HolderCodeType, M),
    el(C, "validity_start", "有效期起始日期", "valid from", T::Date, M),
    el(C, "validity_end", "有效期截止日期", "valid until", T::Date, O),
    el(C, "validity_long_term", "长期有效", "valid indefinitely", T::Bool, O),
];

/// 居民身份证: resident identity card.
#[rustfmt::skip]
pub(super) const RESIDENT_ID_CARD: &[ElementSpec] = &[
    el(L, "name", "姓名", "name", T::Text, M),
    el(L, "sex", "性别", "sex", T::Sex, M),
    el(L, "ethnicity", "民族", "ethnicity", T::Text, M),
    el(L, "birth_date", "出生日期", "date of birth", T::Date, M),
    el(L, "address", "住址", "address", T::Text, M),
    el(L, "id_number", "公民身份号码", "citizen identity number", T::CitizenId, M),
    el(L, "issuing_office", "签发机关", "issuing office", T::Text, M),
    el(L, "portrait", "照片", "portrait", T::Bytes, O),
    el(L, "age_over_18", "年满18周岁", "aged 18 or over", T::Bool, D),
    el(L, "age_over_60", "年满60周岁", "aged 60 or over", T::Bool, D),
];

/// 机动车驾驶证: motor vehicle driving licence.
#[rustfmt::skip]
pub(super) const DRIVING_LICENCE: &[ElementSpec] = &[
    el(L, "name", "姓名", "name", T::Text, M),
    el(L, "sex", "性别", "sex", T::Sex, M),
    el(L, "nationality", "国籍", "nationality", T::Text, M),
    el(L, "address", "住址", "address", T::Text, M),
    el(L, "birth_date", "出生日期", "date of birth", T::Date, M),
    el(L, "first_issue_date", "初次领证日期", "date of first issue", T::Date, M),
    el(L, "vehicle_classes", "准驾车型", "permitted vehicle classes", T::VehicleClasses, M),
    el(L, "id_number", "证号", "licence number (citizen identity number)", T::CitizenId, M),
    el(L, "issuing_office", "发证机关", "issuing office", T::Text, M),
    el(L, "portrait", "照片", "portrait", T::Bytes, O),
    el(L, "age_over_18", "年满18周岁", "aged 18 or over", T::Bool, D),
    el(L, "age_over_60", "年满60周岁", "aged 60 or over", T::Bool, D),
];

/// 营业执照: business licence.
#[rustfmt::skip]
pub(super) const BUSINESS_LICENCE: &[ElementSpec] = &[
    el(L, "entity_name", "名称", "name of the entity", T::Text, M),
    el(L, "uscc", "统一社会信用代码", "unified social credit code", T::Uscc, M),
    el(L, "entity_type", "类型", "type of entity", T::Text, M),
    el(L, "legal_representative", "法定代表人", "legal representative", T::Text, M),
    el(L, "registered_capital", "注册资本", "registered capital", T::Text, O),
    el(L, "establishment_date", "成立日期", "date of establishment", T::Date, M),
    el(L, "business_scope", "经营范围", "business scope", T::Text, M),
    el(L, "domicile", "住所", "domicile", T::Text, M),
    el(L, "registration_authority", "登记机关", "registration authority", T::Text, M),
];

/// The licence types with a built-in profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenceKind {
    /// 居民身份证.
    ResidentIdCard,
    /// 机动车驾驶证.
    DrivingLicence,
    /// 营业执照.
    BusinessLicence,
}

impl LicenceKind {
    pub(super) fn elements(self) -> &'static [ElementSpec] {
        match self {
            LicenceKind::ResidentIdCard => RESIDENT_ID_CARD,
            LicenceKind::DrivingLicence => DRIVING_LICENCE,
            LicenceKind::BusinessLicence => BUSINESS_LICENCE,
        }
    }

    /// The licence type code the built-in profile uses. The resident identity card
    /// (`…13127D001`, Ministry of Public Security) and business licence (`…MB0143028R001`,
    /// State Administration for Market Regulation) codes are those seen in use on provincial
    /// licence platforms; the driving licence's sequence `002` is a placeholder until
    /// confirmed against the national licence catalogue — set the real one with
    /// [`Profile::with_type_code`].
    pub fn default_type_code(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "11100000000013127D001",
            LicenceKind::DrivingLicence => "11100000000013127D002",
            LicenceKind::BusinessLicence => "11100000MB0143028R001",
        }
    }

    /// The holder code type a licence of this kind is issued to.
    pub fn holder_code_type(self) -> HolderCodeType {
        match self {
            LicenceKind::ResidentIdCard | LicenceKind::DrivingLicence => {
                HolderCodeType::CitizenIdNumber
            }
            LicenceKind::BusinessLicence => HolderCodeType::Uscc,
        }
    }

    /// The name in Chinese (simplified characters).
    pub fn name_zh(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "居民身份证",
            LicenceKind::DrivingLicence => "机动车驾驶证",
            LicenceKind::BusinessLicence => "营业执照",
        }
    }

    /// The name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "resident identity card",
            LicenceKind::DrivingLicence => "motor vehicle driving licence",
            LicenceKind::BusinessLicence => "business licence",
        }
    }
}

/// 持证主体代码类型: what kind of code identifies the holder (GB/T 36903).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HolderCodeType {
    /// `111`: a citizen identity number.
    CitizenIdNumber,
    /// `001`: a unified social credit code.
    Uscc,
}

impl HolderCodeType {
    /// The code: `"111"` or `"001"`.
    pub fn code(self) -> &'static str {
        match self {
            HolderCodeType::CitizenIdNumber => "111",
            HolderCodeType::Uscc => "001",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "111" => Some(HolderCodeType::CitizenIdNumber),
            "001" => Some(HolderCodeType::Uscc),
            _ => None,
        }
    }
}
