//! The OpenAPI 3.1 document describing every endpoint we serve, built from the protocol crate's
//! endpoint table and the same schemas as the per-type files.

use rocketchat_protocol::{
    ApiError, Metadata, Method, PlainError, UnauthorizedError,
    endpoint::ALL,
    groups, login,
    schema::{self, Role, WireType, wire_types},
};
use schemars::SchemaGenerator;
use serde_json::{Map, Value, json};

/// The document's file name in `schemas/`.
pub(crate) const FILE_NAME: &str = "openapi.json";

pub(crate) fn document() -> Value {
    let mut settings = schema::settings();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let errors = ErrorRefs {
        api: generator.subschema_for::<ApiError>().to_value(),
        unauthorized: generator.subschema_for::<UnauthorizedError>().to_value(),
        plain: generator.subschema_for::<PlainError>().to_value(),
    };
    let wires = wire_types();
    let mut paths = Map::new();
    for endpoint in ALL {
        let find = |role| {
            wires
                .iter()
                .find(|wire| wire.endpoint == endpoint.name && wire.role == role)
        };
        let operation = operation(
            endpoint,
            find(Role::Request),
            find(Role::Response),
            &errors,
            &mut generator,
        );
        let method = endpoint.method.as_str().to_ascii_lowercase();
        paths.insert(endpoint.path.to_owned(), json!({ method: operation }));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Rocket.Chat private-group invite API (rocketchat-rs)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "POST /api/v1/groups.invite and the endpoints around it, as served by rocketchat-server. {}",
                crate::schema::PREAMBLE
            ),
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "servers": [{ "url": "http://127.0.0.1:3000" }],
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "authToken": { "type": "apiKey", "in": "header", "name": "X-Auth-Token",
                               "description": "The authToken returned by login." },
                "userId": { "type": "apiKey", "in": "header", "name": "X-User-Id",
                            "description": "The userId returned by login." }
            }
        }
    })
}

struct ErrorRefs {
    api: Value,
    unauthorized: Value,
    plain: Value,
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn operation(
    endpoint: &Metadata,
    request: Option<&WireType>,
    response: Option<&WireType>,
    errors: &ErrorRefs,
    generator: &mut SchemaGenerator,
) -> Value {
    let mut operation = Map::new();
    let method = endpoint.method.as_str().to_ascii_lowercase();
    let id = format!(
        "{method}-{}",
        endpoint.path.trim_start_matches('/').replace('/', "-")
    );
    operation.insert("operationId".into(), id.into());
    operation.insert("summary".into(), endpoint.description.into());
    if endpoint.authentication {
        operation.insert(
            "security".into(),
            json!([{ "authToken": [], "userId": [] }]),
        );
    }
    if let Some(request) = request {
        let reference = request.subschema(generator).to_value();
        match endpoint.method {
            Method::Post => {
                let body = json!({ "required": true, "content": json_content(reference) });
                operation.insert("requestBody".into(), body);
            }
            Method::Get => {
                operation.insert(
                    "parameters".into(),
                    query_parameters(&reference, generator).into(),
                );
            }
        }
    }
    let mut responses = Map::new();
    if let Some(response) = response {
        let ok = json!({ "description": "Success.", "content": json_content(response.subschema(generator).to_value()) });
        responses.insert("200".into(), ok);
    }
    let mut refusal = |status: &str, description: &str, schema: Value| {
        let answer = json!({ "description": description, "content": json_content(schema) });
        responses.insert(status.into(), answer);
    };
    let refused = json!({ "anyOf": [errors.api, errors.plain] });
    refusal(
        "400",
        "The request was refused: the standard body, whose `errorType` says why, or for a few of \
         Rocket.Chat's route-level checks a body with only `error`.",
        refused,
    );
    if endpoint.authentication {
        let description = "Missing or wrong X-Auth-Token / X-User-Id.";
        refusal("401", description, errors.unauthorized.clone());
    } else if endpoint.path == login::METADATA.path {
        refusal(
            "401",
            "Unknown account or wrong password.",
            errors.unauthorized.clone(),
        );
    }
    if endpoint.path == groups::members::METADATA.path {
        let description = "A broadcast group, and the caller lacks `view-broadcast-member-list`.";
        refusal("403", description, errors.plain.clone());
    }
    if endpoint.path == groups::list_all::METADATA.path {
        let description = "The caller lacks `view-room-administration`.";
        refusal("403", description, errors.plain.clone());
    }
    if endpoint.method == Method::Post {
        let description = "The body is larger than the server accepts.";
        refusal("413", description, errors.api.clone());
    }
    if endpoint.rate_limited {
        let description = "Too many calls; see the X-RateLimit-* headers.";
        refusal("429", description, errors.plain.clone());
    }
    let description = "The request took longer than the server's request timeout.";
    refusal("503", description, errors.plain.clone());
    operation.insert("responses".into(), responses.into());
    operation.into()
}

/// One query parameter per property of the request's schema, its branches included.
fn query_parameters(reference: &Value, generator: &SchemaGenerator) -> Vec<Value> {
    let name = reference["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default();
    let definition = generator
        .definitions()
        .get(name)
        .cloned()
        .unwrap_or_else(|| reference.clone());
    let required: Vec<&str> = definition["required"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties = Vec::new();
    collect_properties(&definition, false, &mut properties);
    properties
        .into_iter()
        .filter(|(_, schema)| schema.get("type") != Some(&Value::from("null")))
        .map(|(name, schema)| {
            json!({ "name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": schema })
        })
        .collect()
}

/// The properties of `schema` and of its branches. A property of one of several alternatives
/// (`oneOf`, `anyOf`: the group by `roomId` or by `roomName`) loses its `pattern` as a query
/// parameter: when another alternative's parameter decides, the server does not read this
/// one, so no value of it is refused.
fn collect_properties(schema: &Value, alternative: bool, out: &mut Vec<(String, Value)>) {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if !out.iter().any(|(seen, _)| seen == name) {
                let mut property = property.clone();
                if alternative
                    && let Some(object) = property.as_object_mut()
                    && object.remove("pattern").is_some()
                {
                    let text = object
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let note = "Not blank, unless another of the alternative parameters decides.";
                    object.insert("description".into(), format!("{text} {note}").trim().into());
                }
                out.push((name.clone(), property));
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_properties(branch, alternative || key != "allOf", out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_described_with_its_method() {
        let document = document();
        for endpoint in ALL {
            let method = endpoint.method.as_str().to_ascii_lowercase();
            assert!(
                document["paths"][endpoint.path][&method].is_object(),
                "{}",
                endpoint.path
            );
        }
    }

    #[test]
    fn every_reference_resolves() {
        let document = document();
        let text = document.to_string();
        for piece in text.split("\"$ref\":\"").skip(1) {
            let target = &piece[..piece.find('"').unwrap()];
            let pointer = target.trim_start_matches('#');
            assert!(
                document.pointer(pointer).is_some(),
                "dangling $ref {target}"
            );
        }
    }

    #[test]
    fn invite_is_documented_as_rocket_chat_does() {
        let document = document();
        let invite = &document["paths"]["/api/v1/groups.invite"]["post"];
        assert_eq!(invite["operationId"], "post-api-v1-groups.invite");
        assert_eq!(
            invite["security"],
            json!([{ "authToken": [], "userId": [] }])
        );
        for status in ["200", "400", "401", "429"] {
            assert!(invite["responses"][status].is_object(), "{status}");
        }
    }

    #[test]
    fn get_queries_list_the_room_parameters() {
        let document = document();
        let parameters = &document["paths"]["/api/v1/groups.info"]["get"]["parameters"];
        let names: Vec<&str> = parameters
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["roomId", "roomName"]);
    }

    fn parameter_names(document: &Value, path: &str) -> Vec<String> {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn list_queries_and_the_user_lookup_are_parameters() {
        let document = document();
        for path in ["/api/v1/groups.list", "/api/v1/groups.listAll"] {
            assert_eq!(
                parameter_names(&document, path),
                ["count", "offset", "sort"],
                "{path}"
            );
        }
        let mut lookup = parameter_names(&document, "/api/v1/users.info");
        lookup.sort();
        assert_eq!(
            lookup,
            ["importId", "includeUserRooms", "userId", "username"]
        );
    }

    #[test]
    fn list_all_documents_its_403() {
        let document = document();
        let list_all = &document["paths"]["/api/v1/groups.listAll"]["get"]["responses"];
        assert!(list_all["403"].is_object());
        let list = &document["paths"]["/api/v1/groups.list"]["get"]["responses"];
        assert!(list["403"].is_null());
    }
}
