//! Domain literals: values that the language writes and the model keeps, so
//! that they belong to neither layer. The parser builds them, evaluation
//! carries them, and checks and codegen read them from the model, none of
//! them reaching into the syntax tree.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    Hours,
    Minutes,
    Seconds,
}

impl DurationUnit {
    pub fn suffix(self) -> char {
        match self {
            DurationUnit::Days => 'd',
            DurationUnit::Hours => 'h',
            DurationUnit::Minutes => 'm',
            DurationUnit::Seconds => 's',
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            DurationUnit::Days => 86_400,
            DurationUnit::Hours => 3_600,
            DurationUnit::Minutes => 60,
            DurationUnit::Seconds => 1,
        }
    }
}

/// A duration as written: `30d` is 30 days, not 2,592,000 seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: i64,
    pub unit: DurationUnit,
}

impl Duration {
    pub fn seconds(&self) -> i64 {
        self.amount.saturating_mul(self.unit.seconds())
    }

    /// Whole days, if the duration is a whole number of days.
    pub fn whole_days(&self) -> Option<i64> {
        let seconds = self.seconds();
        (seconds % 86_400 == 0).then_some(seconds / 86_400)
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}
