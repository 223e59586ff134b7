//! Trimming progenitor's output. The builder interface (`client.get_call().id(..).send()`)
//! makes typify also write a builder for every type (`types::builder`, about 7,400 of the
//! client's 11,700 lines) that nothing uses but the request builders' `body` fields and their
//! `body_map` methods. [`drop_type_builders`] removes them and makes each `body` field hold
//! the body type itself, so the compiler has a third of the code to check (BENCHMARKS.md
//! section 5). When progenitor's output no longer has the expected shape, regen fails and
//! says so rather than writing half-trimmed code.

use std::collections::HashSet;

use quote::ToTokens;
use syn::{Expr, File, ImplItem, ImplItemFn, Item, Member, Stmt, Type};

/// The path prefix of typify's builders, as `TokenStream::to_string` writes it.
const TYPE_BUILDERS: &str = "types :: builder ::";

/// Removes `types::builder`, each type's `builder()` constructor and each request builder's
/// `body_map`; request builders keep their body as the body type, unset until `.body(..)`.
pub fn drop_type_builders(file: &mut File) -> Result<(), String> {
    let types = module(&mut file.items, "types")?;
    let count = types.len();
    types.retain(|item| !matches!(item, Item::Mod(m) if m.ident == "builder"));
    if types.len() == count {
        return Err("progenitor's `types` module has no `builder` module to remove".into());
    }
    for item in types.iter_mut() {
        if let Item::Impl(block) = item {
            block
                .items
                .retain(|item| !matches!(item, ImplItem::Fn(f) if f.sig.ident == "builder"));
        }
    }
    types.retain(|item| !matches!(item, Item::Impl(block) if block.items.is_empty()));

    let requests = module(&mut file.items, "builder")?;
    let mut retyped = HashSet::new();
    for item in requests.iter_mut() {
        if let Item::Struct(request) = item {
            for field in request.fields.iter_mut() {
                if let (Some(name), true) = (&field.ident, retype(&mut field.ty)?) {
                    retyped.insert((request.ident.to_string(), name.to_string()));
                }
            }
        }
    }
    for item in requests.iter_mut() {
        let Item::Impl(block) = item else { continue };
        let Type::Path(self_ty) = &*block.self_ty else {
            continue;
        };
        let Some(request) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        block
            .items
            .retain(|item| !matches!(item, ImplItem::Fn(f) if f.sig.ident == "body_map"));
        for item in block.items.iter_mut() {
            if let ImplItem::Fn(f) = item
                && f.sig.ident == "new"
            {
                unset(f, &request, &retyped)?;
            }
        }
    }
    if file.to_token_stream().to_string().contains(TYPE_BUILDERS) {
        return Err("progenitor's client still refers to `types::builder` after trimming".into());
    }
    Ok(())
}

/// The items of the top-level inline module `name`.
fn module<'a>(items: &'a mut [Item], name: &str) -> Result<&'a mut Vec<Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

/// Replaces `types::builder::X` with `types::X` in `ty`; whether it did.
fn retype(ty: &mut Type) -> Result<bool, String> {
    let text = ty.to_token_stream().to_string();
    if !text.contains(TYPE_BUILDERS) {
        return Ok(false);
    }
    *ty = syn::parse_str(&text.replace(TYPE_BUILDERS, "types ::"))
        .map_err(|e| format!("cannot retype `{text}`: {e}"))?;
    Ok(true)
}

/// In request builder `request`'s constructor `new`, starts each retyped field as unset (it
/// started as the type builder's default, whose conversion named the missing fields).
fn unset(
    new: &mut ImplItemFn,
    request: &str,
    retyped: &HashSet<(String, String)>,
) -> Result<(), String> {
    let Some(Stmt::Expr(Expr::Struct(value), None)) = new.block.stmts.last_mut() else {
        return Err(format!(
            "`{request}::new` does not end in a struct expression"
        ));
    };
    for field in value.fields.iter_mut() {
        let Member::Named(name) = &field.member else {
            continue;
        };
        if retyped.contains(&(request.to_string(), name.to_string())) {
            field.expr = syn::parse_str(&format!(r#"Err("no {name} supplied".to_string())"#))
                .map_err(|e| format!("`{request}::new`: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape progenitor writes, cut to one type and one request builder.
    const CLIENT: &str = r#"
        pub mod types {
            pub struct CallRequest { pub phone: String }
            impl CallRequest {
                pub fn builder() -> builder::CallRequest { Default::default() }
            }
            impl CallRequest {
                pub fn phone(&self) -> &str { &self.phone }
            }
            pub mod builder {
                #[derive(Default)]
                pub struct CallRequest { phone: Result<String, String> }
            }
        }
        pub mod builder {
            pub struct CreateCall<'a> {
                client: &'a super::Client,
                body: Result<types::builder::CallRequest, String>,
                flag: Result<Option<bool>, String>,
            }
            impl<'a> CreateCall<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self { client: client, body: Ok(::std::default::Default::default()), flag: Ok(None) }
                }
                pub fn body_map<F>(mut self, f: F) -> Self
                where F: FnOnce(types::builder::CallRequest) -> types::builder::CallRequest {
                    self.body = self.body.map(f);
                    self
                }
            }
        }
    "#;

    #[test]
    fn type_builders_go_and_bodies_hold_the_body_type() {
        let mut file: File = syn::parse_str(CLIENT).unwrap();
        drop_type_builders(&mut file).unwrap();
        let expected: File = syn::parse_str(
            r#"
            pub mod types {
                pub struct CallRequest { pub phone: String }
                impl CallRequest {
                    pub fn phone(&self) -> &str { &self.phone }
                }
            }
            pub mod builder {
                pub struct CreateCall<'a> {
                    client: &'a super::Client,
                    body: Result<types::CallRequest, String>,
                    flag: Result<Option<bool>, String>,
                }
                impl<'a> CreateCall<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, body: Err("no body supplied".to_string()), flag: Ok(None) }
                    }
                }
            }
            "#,
        )
        .unwrap();
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn output_without_type_builders_is_refused() {
        let mut file: File =
            syn::parse_str("pub mod types { pub struct A; } pub mod builder {}").unwrap();
        assert_eq!(
            drop_type_builders(&mut file),
            Err("progenitor's `types` module has no `builder` module to remove".to_string())
        );
    }
}
