use anchor_lang::prelude::*;

use crate::errors::RegistryError;

/// Hands out sequential network ids, so devices can store a 4-byte network id.
#[account]
#[derive(InitSpace)]
pub struct Platform {
    pub network_count: u32,
    pub bump: u8,
}

impl Platform {
    pub fn take_network_id(&mut self) -> Result<u32> {
        let id = self.network_count;
        self.network_count = id.checked_add(1).ok_or(RegistryError::CounterOverflow)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_ids_are_sequential_and_overflow_is_an_error() {
        let mut p = Platform {
            network_count: 0,
            bump: 255,
        };
        assert_eq!(
            (p.take_network_id().unwrap(), p.take_network_id().unwrap()),
            (0, 1)
        );
        p.network_count = u32::MAX;
        assert_eq!(
            p.take_network_id().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
    }
}
