//! One CloudTrail record, read leniently and as a stream.
//!
//! A log file is `{"Records": [...]}` (CloudTrail User Guide, "CloudTrail record contents").
//! Only the fields the report needs are kept; every other field is skipped without being
//! built. Reading never fails because of one record's shape: a field of an unexpected type
//! reads as absent, so a malformed record is counted, not fatal. Only broken JSON or a broken
//! stream (truncated file, corrupt gzip) stops a file.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The fields of a record that say who did what, when, and whether it was allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub event_time: Option<String>,
    pub event_source: Option<String>,
    pub event_name: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role whose session made the call.
    pub role_arn: Option<String>,
    /// `userIdentity.arn`: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for a role session.
    pub identity_arn: Option<String>,
}

impl Record {
    /// The session name of an assumed-role identity. Lambda names the session after the
    /// function (`arn:aws:sts::123456789012:assumed-role/orders-role/CreateOrder`).
    pub fn session_name(&self) -> Option<&str> {
        let arn = self.identity_arn.as_deref()?;
        let (_, resource) = arn.rsplit_once(":assumed-role/")?;
        resource.split_once('/').map(|(_, session)| session)
    }

    /// Reads one record from a JSON text (LookupEvents' `CloudTrailEvent`).
    pub fn from_json(text: &str) -> Result<Record, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let record = deserializer.deserialize_any(RecordVisitor)?;
        deserializer.end()?;
        Ok(record)
    }
}

/// Streams the records of one log file to `sink`, in order; `false` when the file holds no
/// `Records` array at all (not a CloudTrail log file). Records already handed to the sink
/// stay handed over when the stream breaks later on.
pub fn read_records<R: Read>(reader: R, sink: &mut dyn FnMut(Record)) -> serde_json::Result<bool> {
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let found = deserializer.deserialize_any(LogFileVisitor { sink })?;
    deserializer.end()?;
    Ok(found)
}

/// `{"Records": [...]}`; a bare array of records is accepted too (exports, `jq -s`).
struct LogFileVisitor<'a> {
    sink: &'a mut dyn FnMut(Record),
}

impl<'de> Visitor<'de> for LogFileVisitor<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log file: {\"Records\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<Field>()? {
            if key.0 == Some("Records") {
                map.next_value_seed(RecordsSeed {
                    sink: &mut *self.sink,
                })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        visit_records(seq, self.sink).map(|()| true)
    }
}

struct RecordsSeed<'a> {
    sink: &'a mut dyn FnMut(Record),
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        visit_records(seq, self.sink)
    }

    // `"Records": null` or another non-array: no records.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
}

fn visit_records<'de, A: SeqAccess<'de>>(
    mut seq: A,
    sink: &mut dyn FnMut(Record),
) -> Result<(), A::Error> {
    while let Some(record) = seq.next_element_seed(RecordSeed)? {
        sink(record);
    }
    Ok(())
}

struct RecordSeed;

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = Record;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_any(RecordVisitor)
    }
}

/// A record; anything that is not an object reads as an empty record (counted as missing
/// fields by the caller).
struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::default();
        while let Some(key) = map.next_key::<Field>()? {
            match key.0.unwrap_or_default() {
                "eventTime" => record.event_time = map.next_value::<Lenient>()?.0,
                "eventSource" => record.event_source = map.next_value::<Lenient>()?.0,
                "eventName" => record.event_name = map.next_value::<Lenient>()?.0,
                "errorCode" => record.error_code = map.next_value::<Lenient>()?.0,
                "errorMessage" => record.error_message = map.next_value::<Lenient>()?.0,
                "userIdentity" => {
                    let identity = map.next_value::<Identity>()?;
                    record.role_arn = identity.role_arn;
                    record.identity_arn = identity.arn;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(record)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Record, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Record::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Record, E> {
        Ok(Record::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Record, E> {
        Ok(Record::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Record, E> {
        Ok(Record::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Record, E> {
        Ok(Record::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Record, E> {
        Ok(Record::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Record, E> {
        Ok(Record::default())
    }
}

/// `userIdentity`: `arn` and `sessionContext.sessionIssuer.arn`.
#[derive(Default)]
struct Identity {
    arn: Option<String>,
    role_arn: Option<String>,
}

impl<'de> de::Deserialize<'de> for Identity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Identity, D::Error> {
        deserializer.deserialize_any(Nested {
            path: &["sessionContext", "sessionIssuer", "arn"],
            also: Some("arn"),
        })
    }
}

/// Walks nested objects along `path` to one string; `also` names a string at the top level.
struct Nested {
    path: &'static [&'static str],
    also: Option<&'static str>,
}

impl<'de> DeserializeSeed<'de> for Nested {
    type Value = Identity;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Identity, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Nested {
    type Value = Identity;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Identity, A::Error> {
        let mut out = Identity::default();
        while let Some(key) = map.next_key::<Field>()? {
            let key = key.0;
            if key.is_some() && self.also == key {
                out.arn = map.next_value::<Lenient>()?.0;
            } else if key.is_some() && self.path.first().copied() == key {
                let rest = &self.path[1..];
                if rest.len() == 1 {
                    // The last step is the string itself.
                    let inner = map.next_value_seed(Nested {
                        path: &[],
                        also: Some(rest[0]),
                    })?;
                    out.role_arn = inner.arn;
                } else {
                    let inner = map.next_value_seed(Nested {
                        path: rest,
                        also: None,
                    })?;
                    out.role_arn = inner.role_arn;
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Identity, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Identity::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Identity, E> {
        Ok(Identity::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Identity, E> {
        Ok(Identity::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Identity, E> {
        Ok(Identity::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Identity, E> {
        Ok(Identity::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Identity, E> {
        Ok(Identity::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Identity, E> {
        Ok(Identity::default())
    }
}

/// The keys this reader looks at; any other key reads as `None` without being copied.
const KNOWN_KEYS: &[&str] = &[
    "Records",
    "eventTime",
    "eventSource",
    "eventName",
    "errorCode",
    "errorMessage",
    "userIdentity",
    "sessionContext",
    "sessionIssuer",
    "arn",
];

/// An object key, if it is one of [`KNOWN_KEYS`].
struct Field(Option<&'static str>);

impl<'de> de::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(Field(KNOWN_KEYS.iter().find(|k| **k == v).copied()))
            }
        }
        deserializer.deserialize_str(FieldVisitor)
    }
}

/// A string, or absent when the value is of any other type.
struct Lenient(Option<String>);

impl<'de> de::Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Lenient, D::Error> {
        struct LenientVisitor;
        impl<'de> Visitor<'de> for LenientVisitor {
            type Value = Lenient;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Lenient, E> {
                Ok(Lenient(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Lenient, E> {
                Ok(Lenient(Some(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lenient, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
        }
        deserializer.deserialize_any(LenientVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> (Vec<Record>, bool) {
        let mut out = Vec::new();
        let ok = read_records(text.as_bytes(), &mut |r| out.push(r)).is_ok_and(|found| found);
        (out, ok)
    }

    #[test]
    fn reads_the_fields_of_a_role_session_record() {
        let text = r#"{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole",
            "principalId":"AROA:CreateOrder","arn":"arn:aws:sts::123456789012:assumed-role/orders-role/CreateOrder",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/orders-role","userName":"orders-role"},
            "attributes":{"mfaAuthenticated":"false"}}},
            "eventTime":"2026-11-01T10:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"PutItem",
            "requestParameters":{"tableName":"Orders","item":{"a":[1,2,{"b":null}]}},"responseElements":null,
            "errorCode":"AccessDeniedException","errorMessage":"User: x is not authorized to perform: dynamodb:PutItem on resource: y"}]}"#;
        let (got, ok) = records(text);
        assert!(ok);
        assert_eq!(
            got,
            vec![Record {
                event_time: Some("2026-11-01T10:00:00Z".into()),
                event_source: Some("dynamodb.amazonaws.com".into()),
                event_name: Some("PutItem".into()),
                error_code: Some("AccessDeniedException".into()),
                error_message: Some(
                    "User: x is not authorized to perform: dynamodb:PutItem on resource: y".into()
                ),
                role_arn: Some("arn:aws:iam::123456789012:role/orders-role".into()),
                identity_arn: Some(
                    "arn:aws:sts::123456789012:assumed-role/orders-role/CreateOrder".into()
                ),
            }]
        );
        assert_eq!(got[0].session_name(), Some("CreateOrder"));
    }

    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let (got, ok) = records(
            r#"{"Records":[{"eventName":7,"eventSource":["s3"],"userIdentity":"root"}, 5, null]}"#,
        );
        assert!(ok);
        assert_eq!(got, vec![Record::default(); 3]);
    }

    #[test]
    fn a_truncated_file_keeps_the_records_before_the_break() {
        let (got, ok) =
            records(r#"{"Records":[{"eventName":"GetObject"},{"eventName":"PutObject"},{"eventNa"#);
        assert!(!ok);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].event_name.as_deref(), Some("PutObject"));
    }

    #[test]
    fn a_file_without_records_says_so() {
        let found = read_records(
            r#"{"name": "my-app", "version": "1.0.0"}"#.as_bytes(),
            &mut |_| {},
        );
        assert_eq!(found.ok(), Some(false));
    }

    #[test]
    fn a_single_record_reads_from_text() {
        let record =
            Record::from_json(r#"{"eventName":"Decrypt","eventSource":"kms.amazonaws.com"}"#).ok();
        assert_eq!(
            record.and_then(|r| r.event_name),
            Some("Decrypt".to_string())
        );
    }
}
