-- The event catalog's rows (table: supabase/schemas/catalog.sql), docs/design.md §4. Rows are data, which
-- a schema diff does not carry: a new event type or version is a new migration with its row.
-- user_initiated (docs/design.md §10.2): the types that show the user doing something, which alone
-- make a user active (DAU/WAU/MAU, first-seen days, cohorts); system and staff events that carry
-- the client's id (notification sends and deliveries, assignments, decisions, payment outcomes,
-- ...) do not.
insert into public.event_schema_versions
  (event_domain, event_type, entity_type, required_fields, metadata_fields, status_values, client_emittable, description, user_initiated)
values
  ('orders', 'order_created', 'order', '{entity_id,user_id,service_code}', '{}', null, false, 'A client placed an order.', true),
  ('orders', 'order_assigned', 'order', '{entity_id,service_code}', '{"reader_id": {"type": "uuid", "required": true}}', null, false, 'An order was assigned to a reader (metadata.reader_id).', false),
  ('orders', 'order_submitted', 'order', '{entity_id,service_code}', '{}', null, false, 'The reader submitted the reading for approval.', false),
  ('orders', 'order_approved', 'order', '{entity_id,service_code}', '{}', null, false, 'The submitted reading was approved.', false),
  ('orders', 'order_rejected', 'order', '{entity_id,service_code}', '{}', null, false, 'The submitted reading was rejected and goes back to the reader.', false),
  ('orders', 'order_completed', 'order', '{entity_id,service_code}', '{}', null, false, 'The order was delivered to the client.', false),
  ('orders', 'order_cancelled', 'order', '{entity_id,service_code}', '{}', null, false, 'The order was cancelled.', false),
  ('payments', 'payment_attempted', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{"is_fallback": {"type": "boolean", "required": false}}', null, false, 'A charge was attempted (metadata.is_fallback on a fallback provider).', true),
  ('payments', 'payment_succeeded', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{}', null, false, 'A charge succeeded.', false),
  ('payments', 'payment_failed', 'payment', '{entity_id,provider,country_code,currency}', '{}', null, false, 'A charge failed.', false),
  ('payments', 'refund_issued', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{}', null, false, 'A refund was issued.', false),
  ('calls', 'call_started', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'A call was placed.', true),
  ('calls', 'call_answered', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'A call was answered.', false),
  ('calls', 'call_ended', 'call', '{entity_id,service_code,provider,duration_seconds}', '{"recorded": {"type": "boolean", "required": false}}', null, false, 'An answered call ended normally (metadata.recorded when recorded).', false),
  ('calls', 'call_dropped', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'An answered call dropped.', false),
  ('notifications', 'notification_sent', 'notification', '{entity_id,user_id}', '{}', null, false, 'A notification was sent.', false),
  ('notifications', 'notification_delivered', 'notification', '{entity_id,user_id}', '{}', null, false, 'A notification was delivered.', false),
  ('notifications', 'notification_opened', 'notification', '{entity_id,user_id}', '{}', null, true, 'The user opened a notification.', true),
  ('notifications', 'notification_opted_out', 'notification', '{user_id}', '{}', null, true, 'The user opted out of notifications.', true),
  ('moderation', 'content_flagged', null, '{entity_type,entity_id}', '{}', null, true, 'Content was flagged for moderation.', true),
  ('moderation', 'moderation_decision', null, '{entity_type,entity_id,status}', '{}', '{approved,rejected}', false, 'A moderator approved or rejected flagged content.', false),
  ('moderation', 'appeal_submitted', null, '{entity_type,entity_id,user_id}', '{}', null, true, 'A user appealed a moderation decision.', true),
  ('content', 'horoscope_uploaded', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was uploaded.', false),
  ('content', 'horoscope_approved', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was approved.', false),
  ('content', 'horoscope_rejected', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was rejected.', false),
  ('content', 'horoscope_published', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was published.', false),
  ('content', 'horoscope_listened', 'horoscope', '{entity_id,user_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": false}, "listen_percent": {"type": "percent", "required": true}}', null, true, 'A user listened to a horoscope (metadata.listen_percent 0..100).', true);
