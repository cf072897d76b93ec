-- Logo bytes live in the log now (event tenant.logo_uploaded, on the tenant's stream): the log alone can
-- serve every branding (invariant 1). Nothing writes tenant_logos any more; it keeps, and the gateway still
-- reads, the bytes of logos uploaded before this migration, which the log only names by hash.
COMMENT ON TABLE tenant_logos IS 'Bytes of logos uploaded before migration 0009 (later ones are in the log as tenant.logo_uploaded); no longer written.';
