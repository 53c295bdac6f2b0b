#include "domain/alert.h"
#include "domain/catalog.h"
#include "domain/changes.h"
#include "domain/comment.h"
#include "domain/community/board.h"
#include "domain/community/community.h"
#include "domain/community/feed.h"
#include "domain/community/membership.h"
#include "domain/community/notification.h"
#include "domain/community/thread.h"
#include "domain/edits/claim.h"
#include "domain/edits/contribution.h"
#include "domain/edits/fields.h"
#include "domain/edits/queue.h"
#include "domain/edits/revision.h"
#include "domain/geocoder.h"
#include "domain/initiative.h"
#include "domain/ogc.h"
#include "domain/people/account.h"
#include "domain/people/apikey.h"
#include "domain/people/collection.h"
#include "domain/people/favourite.h"
#include "domain/people/password.h"
#include "domain/people/saved_search.h"
#include "domain/people/session.h"
#include "domain/report.h"
#include "domain/search.h"
#include "domain/source.h"
#include "domain/suggest.h"
#include "domain/territory.h"
#include "domain/vocab.h"
#include "http/handlers.h"

static const route_t routes[] = {
        {"GET", "/api/v1/health", handle_health},
        {"GET", "/api/v1/vocabularies", handle_vocabularies},
        {"GET", "/api/v1/initiatives", handle_initiative_list},
        {"GET", "/api/v1/initiatives/{id}", handle_initiative_get},
        {"GET", "/api/v1/search", handle_search},
        {"GET", "/api/v1/search/export", handle_search_export},
        {"GET", "/api/v1/suggest", handle_suggest},
        {"GET", "/api/v1/territories", handle_territory_suggest},
        {"GET", "/api/v1/territories/{ref}", handle_territory_get},
        {"GET", "/api/v1/territories/{ref}/contour", handle_territory_contour},
        {"GET", "/api/v1/geocode", handle_geocode},
        {"GET", "/api/v1/map/clusters", handle_map_clusters},
        {"GET", "/api/v1/map/choropleth", handle_map_choropleth},
        {"GET", "/api/v1/sources", handle_source_list},
        {"GET", "/api/v1/sources/{slug}", handle_source_get},
        {"GET", "/api/v1/sources/{slug}/runs", handle_source_runs},
        {"POST", "/api/v1/account/signup", handle_account_signup},
        {"POST", "/api/v1/account/verify", handle_account_verify},
        {"POST", "/api/v1/account/verify/resend", handle_account_verify_resend},
        {"POST", "/api/v1/account/password/forgot", handle_account_forgot},
        {"POST", "/api/v1/account/password/reset", handle_account_reset},
        {"POST", "/api/v1/session", handle_session_open},
        {"DELETE", "/api/v1/session", handle_session_close},
        {"GET", "/api/v1/me", handle_me_get},
        {"PATCH", "/api/v1/me", handle_me_patch},
        {"DELETE", "/api/v1/me", handle_me_delete},
        {"PUT", "/api/v1/me/password", handle_me_password},
        {"PUT", "/api/v1/me/email", handle_me_email},
        {"GET", "/api/v1/me/sessions", handle_me_sessions},
        {"DELETE", "/api/v1/me/sessions/{id}", handle_me_session_delete},
        {"GET", "/api/v1/me/export", handle_me_export},
        {"GET", "/api/v1/me/favourites", handle_favourite_list},
        {"GET", "/api/v1/me/favourites/ids", handle_favourite_ids},
        {"PUT", "/api/v1/me/favourites/{initiative_id}", handle_favourite_put},
        {"DELETE", "/api/v1/me/favourites/{initiative_id}", handle_favourite_delete},
        {"GET", "/api/v1/me/collections", handle_collection_mine},
        {"POST", "/api/v1/collections", handle_collection_create},
        {"GET", "/api/v1/collections/{id}", handle_collection_get},
        {"PATCH", "/api/v1/collections/{id}", handle_collection_patch},
        {"DELETE", "/api/v1/collections/{id}", handle_collection_delete},
        {"POST", "/api/v1/collections/{id}/items", handle_collection_item_add},
        {"PATCH", "/api/v1/collections/{id}/items/{initiative_id}", handle_collection_item_patch},
        {"DELETE", "/api/v1/collections/{id}/items/{initiative_id}", handle_collection_item_delete},
        {"GET", "/api/v1/me/searches", handle_search_saved_list},
        {"POST", "/api/v1/me/searches", handle_search_saved_create},
        {"PATCH", "/api/v1/me/searches/{id}", handle_search_saved_patch},
        {"DELETE", "/api/v1/me/searches/{id}", handle_search_saved_delete},
        {"GET", "/api/v1/alerts/unsubscribe", handle_alert_unsubscribe_check},
        {"GET", "/api/v1/stats", handle_stats},
        {"POST", "/api/v1/alerts/unsubscribe", handle_alert_unsubscribe},
        {"POST", "/api/v1/contributions", handle_contribution_create},
        {"GET", "/api/v1/contributions/{id}", handle_contribution_get},
        {"PATCH", "/api/v1/contributions/{id}", handle_contribution_patch},
        {"DELETE", "/api/v1/contributions/{id}", handle_contribution_delete},
        {"POST", "/api/v1/contributions/{id}/review", handle_contribution_review},
        {"GET", "/api/v1/me/contributions", handle_contribution_mine},
        {"POST", "/api/v1/initiatives/{id}/corrections", handle_correction_create},
        {"POST", "/api/v1/initiatives/{id}/claims", handle_claim_create},
        {"GET", "/api/v1/me/claims", handle_claim_mine},
        {"POST", "/api/v1/claims/{id}/review", handle_claim_review},
        {"PATCH", "/api/v1/initiatives/{id}", handle_initiative_patch},
        {"GET", "/api/v1/initiatives/{id}/history", handle_initiative_history},
        {"POST", "/api/v1/initiatives/{id}/revert", handle_initiative_revert},
        {"POST", "/api/v1/source-changes/{id}/review", handle_source_change_review},
        {"GET", "/api/v1/moderation/queue", handle_moderation_queue},
        {"GET", "/api/v1/initiatives/{id}/comments", handle_comment_list},
        {"POST", "/api/v1/initiatives/{id}/comments", handle_comment_create},
        {"GET", "/api/v1/me/comments", handle_comment_mine},
        {"PATCH", "/api/v1/comments/{id}", handle_comment_patch},
        {"DELETE", "/api/v1/comments/{id}", handle_comment_delete},
        {"POST", "/api/v1/comments/{id}/hide", handle_comment_hide},
        {"POST", "/api/v1/comments/{id}/unhide", handle_comment_unhide},
        {"POST", "/api/v1/reports", handle_report_create},
        {"POST", "/api/v1/reports/{id}/review", handle_report_review},
        {"GET", "/api/v1/moderation/reports", handle_report_list},
        {"GET", "/api/v1/me/keys", handle_key_list},
        {"POST", "/api/v1/me/keys", handle_key_create},
        {"DELETE", "/api/v1/me/keys/{id}", handle_key_delete},
        {"GET", "/api/v1/ogc", handle_ogc_landing},
        {"GET", "/api/v1/ogc/conformance", handle_ogc_conformance},
        {"GET", "/api/v1/ogc/collections", handle_ogc_collections},
        {"GET", "/api/v1/ogc/collections/initiatives", handle_ogc_collection},
        {"GET", "/api/v1/ogc/collections/initiatives/items", handle_ogc_items},
        {"GET", "/api/v1/ogc/collections/initiatives/items/{featureId}", handle_ogc_item},
        {"GET", "/api/v1/changes", handle_changes},
        /* Communities (endpoint_communities.c, endpoint_community_threads.c, _board.c) */
        {"GET", "/api/v1/communities", handle_community_directory},
        {"POST", "/api/v1/communities", handle_community_create},
        {"GET", "/api/v1/me/communities", handle_community_mine},
        {"GET", "/api/v1/communities/{id}", handle_community_get},
        {"PATCH", "/api/v1/communities/{id}", handle_community_patch},
        {"DELETE", "/api/v1/communities/{id}", handle_community_delete},
        {"POST", "/api/v1/communities/{id}/membership", handle_community_join},
        {"PATCH", "/api/v1/communities/{id}/membership", handle_community_membership_patch},
        {"DELETE", "/api/v1/communities/{id}/membership", handle_community_leave},
        {"GET", "/api/v1/communities/{id}/members", handle_community_members},
        {"PATCH", "/api/v1/communities/{id}/members/{account_id}", handle_community_member_patch},
        {"DELETE", "/api/v1/communities/{id}/members/{account_id}", handle_community_member_delete},
        {"POST", "/api/v1/communities/{id}/owner", handle_community_owner},
        {"POST", "/api/v1/communities/{id}/invitations", handle_community_invite},
        {"GET", "/api/v1/community-invitations", handle_community_invitation_get},
        {"POST", "/api/v1/community-invitations/accept", handle_community_invitation_accept},
        {"GET", "/api/v1/communities/{id}/threads", handle_community_threads},
        {"POST", "/api/v1/communities/{id}/threads", handle_community_thread_create},
        {"GET", "/api/v1/communities/{id}/threads/{tid}", handle_community_thread_get},
        {"PATCH", "/api/v1/communities/{id}/threads/{tid}", handle_community_thread_patch},
        {"DELETE", "/api/v1/communities/{id}/threads/{tid}", handle_community_thread_delete},
        {"GET", "/api/v1/communities/{id}/threads/{tid}/replies", handle_community_replies},
        {"POST", "/api/v1/communities/{id}/threads/{tid}/replies", handle_community_reply_create},
        {"PATCH", "/api/v1/communities/{id}/replies/{rid}", handle_community_reply_patch},
        {"DELETE", "/api/v1/communities/{id}/replies/{rid}", handle_community_reply_delete},
        {"POST", "/api/v1/communities/{id}/reports", handle_community_report},
        {"GET", "/api/v1/communities/{id}/reports", handle_community_reports},
        {"GET", "/api/v1/communities/{id}/feed", handle_community_feed},
        {"GET", "/api/v1/communities/{id}/collections", handle_community_collections},
        {"POST", "/api/v1/communities/{id}/collections", handle_community_collection_create},
        {"GET", "/api/v1/communities/{id}/proposals", handle_community_proposals},
        {"POST", "/api/v1/communities/{id}/proposals", handle_community_proposal_create},
        {"POST", "/api/v1/communities/{id}/proposals/{pid}/decision",
         handle_community_proposal_decide},
        {"GET", "/api/v1/communities/{id}/map", handle_community_map},
        {"GET", "/api/v1/me/notifications", handle_notification_list},
        {"GET", "/api/v1/me/notifications/unread", handle_notification_unread},
        {"POST", "/api/v1/me/notifications/read", handle_notification_read},
};

static const db_stmt_t *const statements[] = {
        alert_stmts,     catalog_stmts,      geocoder_stmts,  initiative_stmts, search_stmts,
        source_stmts,    suggest_stmts,      territory_stmts, vocab_stmts,      account_stmts,
        password_stmts,  session_stmts,      favourite_stmts, collection_stmts, saved_search_stmts,
        fields_stmts,    contribution_stmts, claim_stmts,     revision_stmts,   queue_stmts,
        comment_stmts,   report_stmts,       apikey_stmts,    ogc_stmts,        changes_stmts,
        community_stmts, membership_stmts,   thread_stmts,    feed_stmts,       notification_stmts,
        board_stmts,
};

const route_t *routes_table(size_t *n) {
    *n = ARRAY_LEN(routes);
    return routes;
}

const db_stmt_t *const *routes_statements(size_t *n) {
    *n = ARRAY_LEN(statements);
    return statements;
}
