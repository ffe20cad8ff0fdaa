-- The event catalog's rows (table: supabase/schemas/catalog.sql), docs/design.md §4. Rows are data, which
-- a schema diff does not carry: a new event type or version is a new migration with its row.
insert into public.event_schema_versions
  (event_domain, event_type, entity_type, required_fields, metadata_fields, status_values, client_emittable, description)
values
  ('orders', 'order_created', 'order', '{entity_id,user_id,service_code}', '{}', null, false, 'A client placed an order.'),
  ('orders', 'order_assigned', 'order', '{entity_id,service_code}', '{"reader_id": {"type": "uuid", "required": true}}', null, false, 'An order was assigned to a reader (metadata.reader_id).'),
  ('orders', 'order_submitted', 'order', '{entity_id,service_code}', '{}', null, false, 'The reader submitted the reading for approval.'),
  ('orders', 'order_approved', 'order', '{entity_id,service_code}', '{}', null, false, 'The submitted reading was approved.'),
  ('orders', 'order_rejected', 'order', '{entity_id,service_code}', '{}', null, false, 'The submitted reading was rejected and goes back to the reader.'),
  ('orders', 'order_completed', 'order', '{entity_id,service_code}', '{}', null, false, 'The order was delivered to the client.'),
  ('orders', 'order_cancelled', 'order', '{entity_id,service_code}', '{}', null, false, 'The order was cancelled.'),
  ('payments', 'payment_attempted', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{"is_fallback": {"type": "boolean", "required": false}}', null, false, 'A charge was attempted (metadata.is_fallback on a fallback provider).'),
  ('payments', 'payment_succeeded', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{}', null, false, 'A charge succeeded.'),
  ('payments', 'payment_failed', 'payment', '{entity_id,provider,country_code,currency}', '{}', null, false, 'A charge failed.'),
  ('payments', 'refund_issued', 'payment', '{entity_id,provider,country_code,amount_cents,currency}', '{}', null, false, 'A refund was issued.'),
  ('calls', 'call_started', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'A call was placed.'),
  ('calls', 'call_answered', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'A call was answered.'),
  ('calls', 'call_ended', 'call', '{entity_id,service_code,provider,duration_seconds}', '{"recorded": {"type": "boolean", "required": false}}', null, false, 'An answered call ended normally (metadata.recorded when recorded).'),
  ('calls', 'call_dropped', 'call', '{entity_id,service_code,provider}', '{}', null, false, 'An answered call dropped.'),
  ('notifications', 'notification_sent', 'notification', '{entity_id,user_id}', '{}', null, false, 'A notification was sent.'),
  ('notifications', 'notification_delivered', 'notification', '{entity_id,user_id}', '{}', null, false, 'A notification was delivered.'),
  ('notifications', 'notification_opened', 'notification', '{entity_id,user_id}', '{}', null, true, 'The user opened a notification.'),
  ('notifications', 'notification_opted_out', 'notification', '{user_id}', '{}', null, true, 'The user opted out of notifications.'),
  ('moderation', 'content_flagged', null, '{entity_type,entity_id}', '{}', null, true, 'Content was flagged for moderation.'),
  ('moderation', 'moderation_decision', null, '{entity_type,entity_id,status}', '{}', '{approved,rejected}', false, 'A moderator approved or rejected flagged content.'),
  ('moderation', 'appeal_submitted', null, '{entity_type,entity_id,user_id}', '{}', null, true, 'A user appealed a moderation decision.'),
  ('content', 'horoscope_uploaded', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was uploaded.'),
  ('content', 'horoscope_approved', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was approved.'),
  ('content', 'horoscope_rejected', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was rejected.'),
  ('content', 'horoscope_published', 'horoscope', '{entity_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": true}}', null, false, 'A daily horoscope was published.'),
  ('content', 'horoscope_listened', 'horoscope', '{entity_id,user_id}', '{"zodiac_sign": {"type": "zodiac_sign", "required": false}, "listen_percent": {"type": "percent", "required": true}}', null, true, 'A user listened to a horoscope (metadata.listen_percent 0..100).');
