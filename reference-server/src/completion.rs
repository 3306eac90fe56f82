//! `completion/complete` for prompt arguments and resource-template variables.

use rmcp::{
    ErrorData,
    model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference},
};

const DEPARTMENTS: &[&str] = &["Engineering", "Sales", "Marketing", "Support"];
const CITIES: &[&str] = &["Paris", "Park City", "Parma", "Portland", "Prague", "Pretoria"];

fn staff(department: &str) -> &'static [&'static str] {
    match department {
        "Engineering" => &["Alice", "Bob", "Charlie"],
        "Sales" => &["David", "Eve", "Frank"],
        "Marketing" => &["Grace", "Henry", "Iris"],
        "Support" => &["John", "Kim", "Lee"],
        _ => &[],
    }
}

/// Candidate values for the argument, filtered by the typed prefix (case-insensitive).
pub(crate) fn complete(request: &CompleteRequestParams) -> Result<CompleteResult, ErrorData> {
    let argument = request.argument.name.as_str();
    let candidates: Vec<String> = match &request.r#ref {
        Reference::Prompt(prompt) => match (prompt.name.as_str(), argument) {
            ("completable-prompt", "department") => DEPARTMENTS.iter().map(|s| s.to_string()).collect(),
            ("completable-prompt", "name") => {
                let department = request
                    .context
                    .as_ref()
                    .and_then(|c| c.arguments.as_ref())
                    .and_then(|a| a.get("department"))
                    .map(String::as_str)
                    .unwrap_or("");
                staff(department).iter().map(|s| s.to_string()).collect()
            }
            ("args-prompt", "city") => CITIES.iter().map(|s| s.to_string()).collect(),
            ("test_prompt_with_arguments", "arg1" | "arg2") => {
                ["paris", "park", "party"].iter().map(|s| s.to_string()).collect()
            }
            _ => vec![],
        },
        Reference::Resource(template) => match (template.uri.as_str(), argument) {
            ("test://template/{id}/data", "id")
            | (
                "demo://resource/dynamic/text/{resourceId}" | "demo://resource/dynamic/blob/{resourceId}",
                "resourceId",
            ) => (1..=5).map(|i| i.to_string()).collect(),
            _ => vec![],
        },
        _ => vec![],
    };
    let prefix = request.argument.value.to_lowercase();
    let values: Vec<String> = candidates.into_iter().filter(|v| v.to_lowercase().starts_with(&prefix)).collect();
    let info = CompletionInfo::with_all_values(values).map_err(|e| ErrorData::internal_error(e, None))?;
    Ok(CompleteResult::new(info))
}
