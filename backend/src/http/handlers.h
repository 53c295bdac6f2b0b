/* handlers: the HTTP endpoints. Each parses and validates its input, calls the domain and
 * writes JSON; none holds SQL or business rules. */
#ifndef SC_HANDLERS_H
#define SC_HANDLERS_H

#include "server/request.h"
#include "server/response.h"
#include "server/router.h"

void handle_health(const req_t *req, resp_t *resp, void *ctx);
void handle_vocabularies(const req_t *req, resp_t *resp, void *ctx);
void handle_initiative_get(const req_t *req, resp_t *resp, void *ctx);
void handle_initiative_list(const req_t *req, resp_t *resp, void *ctx);
void handle_search(const req_t *req, resp_t *resp, void *ctx);
void handle_search_export(const req_t *req, resp_t *resp, void *ctx);
void handle_suggest(const req_t *req, resp_t *resp, void *ctx);
void handle_territory_suggest(const req_t *req, resp_t *resp, void *ctx);
void handle_territory_get(const req_t *req, resp_t *resp, void *ctx);
void handle_territory_contour(const req_t *req, resp_t *resp, void *ctx);
void handle_geocode(const req_t *req, resp_t *resp, void *ctx);
void handle_map_clusters(const req_t *req, resp_t *resp, void *ctx);
void handle_map_choropleth(const req_t *req, resp_t *resp, void *ctx);
void handle_stats(const req_t *req, resp_t *resp, void *ctx);
void handle_source_list(const req_t *req, resp_t *resp, void *ctx);
void handle_source_get(const req_t *req, resp_t *resp, void *ctx);
void handle_source_runs(const req_t *req, resp_t *resp, void *ctx);
void handle_account_signup(const req_t *req, resp_t *resp, void *ctx);
void handle_account_verify(const req_t *req, resp_t *resp, void *ctx);
void handle_account_verify_resend(const req_t *req, resp_t *resp, void *ctx);
void handle_account_forgot(const req_t *req, resp_t *resp, void *ctx);
void handle_account_reset(const req_t *req, resp_t *resp, void *ctx);
void handle_session_open(const req_t *req, resp_t *resp, void *ctx);
void handle_session_close(const req_t *req, resp_t *resp, void *ctx);
void handle_me_get(const req_t *req, resp_t *resp, void *ctx);
void handle_me_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_me_password(const req_t *req, resp_t *resp, void *ctx);
void handle_me_email(const req_t *req, resp_t *resp, void *ctx);
void handle_me_sessions(const req_t *req, resp_t *resp, void *ctx);
void handle_me_session_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_me_export(const req_t *req, resp_t *resp, void *ctx);
void handle_me_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_favourite_list(const req_t *req, resp_t *resp, void *ctx);
void handle_favourite_ids(const req_t *req, resp_t *resp, void *ctx);
void handle_favourite_put(const req_t *req, resp_t *resp, void *ctx);
void handle_favourite_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_mine(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_create(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_get(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_item_add(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_item_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_collection_item_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_search_saved_list(const req_t *req, resp_t *resp, void *ctx);
void handle_search_saved_create(const req_t *req, resp_t *resp, void *ctx);
void handle_search_saved_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_search_saved_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_alert_unsubscribe_check(const req_t *req, resp_t *resp, void *ctx);
void handle_alert_unsubscribe(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_create(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_get(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_review(const req_t *req, resp_t *resp, void *ctx);
void handle_contribution_mine(const req_t *req, resp_t *resp, void *ctx);
void handle_correction_create(const req_t *req, resp_t *resp, void *ctx);
void handle_claim_create(const req_t *req, resp_t *resp, void *ctx);
void handle_claim_mine(const req_t *req, resp_t *resp, void *ctx);
void handle_claim_review(const req_t *req, resp_t *resp, void *ctx);
void handle_initiative_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_initiative_history(const req_t *req, resp_t *resp, void *ctx);
void handle_initiative_revert(const req_t *req, resp_t *resp, void *ctx);
void handle_source_change_review(const req_t *req, resp_t *resp, void *ctx);
void handle_moderation_queue(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_list(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_mine(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_create(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_hide(const req_t *req, resp_t *resp, void *ctx);
void handle_comment_unhide(const req_t *req, resp_t *resp, void *ctx);
void handle_report_create(const req_t *req, resp_t *resp, void *ctx);
void handle_report_review(const req_t *req, resp_t *resp, void *ctx);
void handle_report_list(const req_t *req, resp_t *resp, void *ctx);

/* API keys (endpoint_keys.c) */
void handle_key_list(const req_t *req, resp_t *resp, void *ctx);
void handle_key_create(const req_t *req, resp_t *resp, void *ctx);
void handle_key_delete(const req_t *req, resp_t *resp, void *ctx);

/* The route table of the API, static. */
const route_t *routes_table(size_t *n);

/* Every prepared statement the handlers' domain calls need, for db_open. */
const db_stmt_t *const *routes_statements(size_t *n);

void handle_ogc_landing(const req_t *req, resp_t *resp, void *ctx);
void handle_ogc_conformance(const req_t *req, resp_t *resp, void *ctx);
void handle_ogc_collections(const req_t *req, resp_t *resp, void *ctx);
void handle_ogc_collection(const req_t *req, resp_t *resp, void *ctx);
void handle_ogc_items(const req_t *req, resp_t *resp, void *ctx);
void handle_ogc_item(const req_t *req, resp_t *resp, void *ctx);
void handle_changes(const req_t *req, resp_t *resp, void *ctx);

/* Communities (endpoint_communities.c, endpoint_community_threads.c, endpoint_community_board.c) */
void handle_community_directory(const req_t *req, resp_t *resp, void *ctx);
void handle_community_mine(const req_t *req, resp_t *resp, void *ctx);
void handle_community_create(const req_t *req, resp_t *resp, void *ctx);
void handle_community_get(const req_t *req, resp_t *resp, void *ctx);
void handle_community_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_community_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_community_join(const req_t *req, resp_t *resp, void *ctx);
void handle_community_membership_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_community_leave(const req_t *req, resp_t *resp, void *ctx);
void handle_community_members(const req_t *req, resp_t *resp, void *ctx);
void handle_community_member_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_community_member_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_community_owner(const req_t *req, resp_t *resp, void *ctx);
void handle_community_invite(const req_t *req, resp_t *resp, void *ctx);
void handle_community_invitation_get(const req_t *req, resp_t *resp, void *ctx);
void handle_community_invitation_accept(const req_t *req, resp_t *resp, void *ctx);
void handle_community_threads(const req_t *req, resp_t *resp, void *ctx);
void handle_community_thread_create(const req_t *req, resp_t *resp, void *ctx);
void handle_community_thread_get(const req_t *req, resp_t *resp, void *ctx);
void handle_community_thread_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_community_thread_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_community_replies(const req_t *req, resp_t *resp, void *ctx);
void handle_community_reply_create(const req_t *req, resp_t *resp, void *ctx);
void handle_community_reply_patch(const req_t *req, resp_t *resp, void *ctx);
void handle_community_reply_delete(const req_t *req, resp_t *resp, void *ctx);
void handle_community_report(const req_t *req, resp_t *resp, void *ctx);
void handle_community_reports(const req_t *req, resp_t *resp, void *ctx);
void handle_community_feed(const req_t *req, resp_t *resp, void *ctx);
void handle_community_collections(const req_t *req, resp_t *resp, void *ctx);
void handle_community_collection_create(const req_t *req, resp_t *resp, void *ctx);
void handle_community_proposals(const req_t *req, resp_t *resp, void *ctx);
void handle_community_proposal_create(const req_t *req, resp_t *resp, void *ctx);
void handle_community_proposal_decide(const req_t *req, resp_t *resp, void *ctx);
void handle_community_map(const req_t *req, resp_t *resp, void *ctx);
void handle_notification_list(const req_t *req, resp_t *resp, void *ctx);
void handle_notification_unread(const req_t *req, resp_t *resp, void *ctx);
void handle_notification_read(const req_t *req, resp_t *resp, void *ctx);

#endif
