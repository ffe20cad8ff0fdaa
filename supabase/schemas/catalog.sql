-- The event catalog: the one source of truth for what ingestion accepts (docs/design.md §4). Its rows
-- are data, added by migrations (..._event_catalog_rows.sql); a new type or version is a new row.
create table public.event_schema_versions (
  event_type text not null,
  version integer not null default 1,
  event_domain text not null,
  entity_type text,
  required_fields text[] not null default '{}',
  metadata_fields jsonb not null default '{}'::jsonb,
  status_values text[],
  client_emittable boolean not null default false,
  description text not null,
  created_at timestamptz not null default now(),
  user_initiated boolean not null default false,
  constraint event_schema_versions_pkey primary key (event_type, version),
  constraint event_schema_versions_domain check (
    event_domain in ('orders', 'payments', 'calls', 'notifications', 'moderation', 'content')),
  constraint event_schema_versions_metadata_fields_is_object check (jsonb_typeof(metadata_fields) = 'object')
);

comment on table public.event_schema_versions is
  'Event catalog: each event type, its domain and entity, the fields it requires and whether end-user tokens may emit it. Ingestion validates against the latest version of each type.';
comment on column public.event_schema_versions.event_type is 'Event type name, unique across domains.';
comment on column public.event_schema_versions.version is 'Schema version of the type; ingestion uses the highest.';
comment on column public.event_schema_versions.event_domain is 'Domain the type belongs to.';
comment on column public.event_schema_versions.entity_type is 'Expected entity_type; null means any entity type is accepted.';
comment on column public.event_schema_versions.required_fields is 'Top-level event fields that must be present and non-null.';
comment on column public.event_schema_versions.metadata_fields is
  'Known metadata keys: {"key": {"type": "uuid|boolean|percent|zodiac_sign|string", "required": bool}}.';
comment on column public.event_schema_versions.status_values is 'Allowed values of status, when constrained.';
comment on column public.event_schema_versions.client_emittable is 'True when an end-user token may send this type for itself.';
comment on column public.event_schema_versions.description is 'What the event means.';
comment on column public.event_schema_versions.created_at is 'When this catalog row was added.';
comment on column public.event_schema_versions.user_initiated is
  'True when the event shows the user doing something (placing an order, paying, calling, opening, listening, ...): only such events make a user active (DAU/WAU/MAU, first-seen days, cohorts).';

-- Admins read it through RLS (access.sql); the service role (ingestion) reads and maintains it.
alter table public.event_schema_versions enable row level security;
revoke all on public.event_schema_versions from public, anon, authenticated;
grant all on public.event_schema_versions to service_role;
grant select on public.event_schema_versions to authenticated;

-- The types the ETL counts as activity: the latest catalog version of each type decides.
create or replace function analytics.user_initiated_event_types()
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(c.event_type order by c.event_type), '{}')
  from (
    select distinct on (v.event_type) v.event_type, v.user_initiated
    from public.event_schema_versions v
    order by v.event_type, v.version desc
  ) c
  where c.user_initiated
$$;
comment on function analytics.user_initiated_event_types() is
  'Event types whose latest catalog version is user_initiated, sorted: the events that make a user active.';
revoke all on function analytics.user_initiated_event_types() from public, anon, authenticated;
grant execute on function analytics.user_initiated_event_types() to service_role;
