//! 準駕車型: the vehicle classes of a motor vehicle driving licence and what each permits.
//!
//! The classes and the classes each one also permits (準駕的其他車型) follow the Ministry of
//! Public Security's rules on applying for and using driving licences (《機動車駕駛證申領和使用
//! 規定》, order No. 162, 2021, in force from 2022):
//!
//! | class | vehicle | also permits |
//! |---|---|---|
//! | A1 | large bus 大型客車 | A3 B1 B2 C1 C2 C3 C4 M |
//! | A2 | heavy tractor-trailer 重型牽引掛車 | B1 B2 C1 C2 C3 C4 C6 M |
//! | A3 | city bus 城市公交車 | C1 C2 C3 C4 |
//! | B1 | medium bus 中型客車 | C1 C2 C3 C4 M |
//! | B2 | large truck 大型貨車 | C1 C2 C3 C4 M |
//! | C1 | small car 小型汽車 | C2 C3 C4 |
//! | C2 | small automatic car 小型自動擋汽車 | — |
//! | C3 | low-speed truck 低速載貨汽車 | C4 |
//! | C4 | three-wheeled car 三輪汽車 | — |
//! | C5 | automatic car for the disabled 殘疾人專用小型自動擋載客汽車 | — |
//! | C6 | light tractor-trailer 輕型牽引掛車 | — |
//! | D | three-wheeled motorcycle 普通三輪摩托車 | E F |
//! | E | two-wheeled motorcycle 普通二輪摩托車 | F |
//! | F | moped 輕便摩托車 | — |
//! | M | wheeled special machinery 輪式專用機械車 | — |
//! | N | trolleybus 無軌電車 | — |
//! | P | tram 有軌電車 | — |
//!
//! The relation is transitively closed: if X permits Y and Y permits Z, X's row lists Z.
//!
//! ```
//! use zhengzhao::profiles::VehicleClass;
//!
//! let c1 = VehicleClass::parse("C1")?;
//! assert!(c1.permits(VehicleClass::C3));
//! assert!(!c1.permits(VehicleClass::B1));
//! assert!(VehicleClass::A1.permits(VehicleClass::M));
//! assert_eq!(VehicleClass::D.implied(), &[VehicleClass::E, VehicleClass::F]);
//! assert_eq!(VehicleClass::C1.name_en(), "small car");
//! # Ok::<(), zhengzhao::profiles::UnknownVehicleClass>(())
//! ```

use core::fmt;

/// A vehicle class code that is not one of the seventeen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("unknown vehicle class")]
pub struct UnknownVehicleClass;

/// A driving licence vehicle class (準駕車型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VehicleClass {
    /// A1: large bus (大型客车).
    A1,
    /// A2: heavy tractor-trailer (重型牵引挂车).
    A2,
    /// A3: city bus (城市公交车).
    A3,
    /// B1: medium bus (中型客车).
    B1,
    /// B2: large truck (大型货车).
    B2,
    /// C1: small car (小型汽车).
    C1,
    /// C2: small automatic car (小型自动挡汽车).
    C2,
    /// C3: low-speed truck (低速载货汽车).
    C3,
    /// C4: three-wheeled car (三轮汽车).
    C4,
    /// C5: small automatic car for drivers with disabilities (残疾人专用小型自动挡载客汽车).
    C5,
    /// C6: light tractor-trailer (轻型牵引挂车).
    C6,
    /// D: three-wheeled motorcycle (普通三轮摩托车).
    D,
    /// E: two-wheeled motorcycle (普通二轮摩托车).
    E,
    /// F: moped (轻便摩托车).
    F,
    /// M: wheeled special machinery (轮式专用机械车).
    M,
    /// N: trolleybus (无轨电车).
    N,
    /// P: tram (有轨电车).
    P,
}

use VehicleClass::*;

impl VehicleClass {
    /// Every class, in the order of the regulation.
    pub const ALL: [VehicleClass; 17] =
        [A1, A2, A3, B1, B2, C1, C2, C3, C4, C5, C6, D, E, F, M, N, P];

    /// Reads a class code (`"C1"`); upper case only.
    pub fn parse(code: &str) -> Result<Self, UnknownVehicleClass> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or(UnknownVehicleClass)
    }

    /// The code, e.g. `"C1"`.
    pub fn code(self) -> &'static str {
        self.info().0
    }

    /// The Chinese name (simplified characters, as printed on the licence).
    pub fn name_zh(self) -> &'static str {
        self.info().1
    }

    /// An English name.
    pub fn name_en(self) -> &'static str {
        self.info().2
    }

    /// The other classes this class permits.
    pub fn implied(self) -> &'static [VehicleClass] {
        self.info().3
    }

    /// Whether a licence for this class permits driving `other` (itself included).
    pub fn permits(self, other: VehicleClass) -> bool {
        self == other || self.implied().contains(&other)
    }

    fn info(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static [VehicleClass],
    ) {
        match self {
            A1 => (
                "A1",
                "大型客车",
                "large bus",
                &[A3, B1, B2, C1, C2, C3, C4, M],
            ),
            A2 => (
                "A2",
                "重型牵引挂车",
                "heavy tractor-trailer",
                &[B1, B2, C1, C2, C3, C4, C6, M],
            ),
            A3 => ("A3", "城市公交车", "city bus", &[C1, C2, C3, C4]),
            B1 => ("B1", "中型客车", "medium bus", &[C1, C2, C3, C4, M]),
            B2 => ("B2", "大型货车", "large truck", &[C1, C2, C3, C4, M]),
            C1 => ("C1", "小型汽车", "small car", &[C2, C3, C4]),
            C2 => ("C2", "小型自动挡汽车", "small automatic car", &[]),
            C3 => ("C3", "低速载货汽车", "low-speed truck", &[C4]),
            C4 => ("C4", "三轮汽车", "three-wheeled car", &[]),
            C5 => (
                "C5",
                "残疾人专用小型自动挡载客汽车",
                "small automatic car for drivers with disabilities",
                &[],
            ),
            C6 => ("C6", "轻型牵引挂车", "light tractor-trailer", &[]),
            D => ("D", "普通三轮摩托车", "three-wheeled motorcycle", &[E, F]),
            E => ("E", "普通二轮摩托车", "two-wheeled motorcycle", &[F]),
            F => ("F", "轻便摩托车", "moped", &[]),
            M => ("M", "轮式专用机械车", "wheeled special machinery", &[]),
            N => ("N", "无轨电车", "trolleybus", &[]),
            P => ("P", "有轨电车", "tram", &[]),
        }
    }
}

impl fmt::Display for VehicleClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl core::str::FromStr for VehicleClass {
    type Err = UnknownVehicleClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VehicleClass::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in VehicleClass::ALL {
            assert_eq!(VehicleClass::parse(c.code()), Ok(c));
            assert_eq!(c.to_string(), c.code());
            assert!(c.permits(c));
            assert!(!c.implied().contains(&c));
        }
        for bad in ["c1", "C7", "G", "", "A1 "] {
            assert_eq!(VehicleClass::parse(bad), Err(UnknownVehicleClass), "{bad}");
        }
    }

    #[test]
    fn implication_rules() {
        let permits = |a: VehicleClass, list: &[VehicleClass]| {
            for b in VehicleClass::ALL {
                assert_eq!(a.permits(b), a == b || list.contains(&b), "{a} → {b}");
            }
        };
        permits(C1, &[C2, C3, C4]);
        permits(A1, &[A3, B1, B2, C1, C2, C3, C4, M]);
        permits(A2, &[B1, B2, C1, C2, C3, C4, C6, M]);
        permits(D, &[E, F]);
        permits(E, &[F]);
        permits(C2, &[]);
        assert!(!A1.permits(A2) && !A2.permits(A1) && !A2.permits(A3));
    }

    #[test]
    fn implication_is_transitively_closed() {
        for a in VehicleClass::ALL {
            for &b in a.implied() {
                for &c in b.implied() {
                    assert!(a.permits(c), "{a} → {b} → {c}");
                }
            }
        }
    }
}
