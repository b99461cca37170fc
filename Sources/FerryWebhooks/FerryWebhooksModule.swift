/// FerryWebhooks: how one batch is pushed to one URL safely (Standard Webhooks signing, target policy,
/// retry backoff, the libcurl sender). Knows nothing of the broker; FerryAPI drives it.
enum FerryWebhooksModule {}
