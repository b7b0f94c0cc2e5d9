//! `accord commitments` and a partnership's give and take in `status` and `show`.
