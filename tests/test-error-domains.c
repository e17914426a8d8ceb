/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-error.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-sandbox-error.h"
#include "tirkeu-store-error.h"
#include "tirkeu-token-error.h"

/* Each subsystem owns one error domain with a distinct, stable quark string: a GError
 * handed up through the layers must say where it came from. */
static void
test_error_domains_distinct (void)
{
  const struct { GQuark quark; const char *name; } domains[] = {
    { TIRKEU_INPUT_ERROR, "tirkeu-input-error-quark" },
    { TIRKEU_STORE_ERROR, "tirkeu-store-error-quark" },
    { TIRKEU_TOKEN_ERROR, "tirkeu-token-error-quark" },
    { TIRKEU_PORTAL_ERROR, "tirkeu-portal-error-quark" },
    { TIRKEU_SANDBOX_ERROR, "tirkeu-sandbox-error-quark" },
    { TIRKEU_CLI_ERROR, "tirkeu-cli-error-quark" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_assert_cmpstr (g_quark_to_string (domains[i].quark), ==, domains[i].name);
      for (guint j = 0; j < i; j++)
        g_assert_cmpuint (domains[i].quark, !=, domains[j].quark);
    }
}

static void
test_portal_code_round_trip (void)
{
  for (guint i = 0; i < TIRKEU_N_PORTAL_CODES; i++)
    {
      const char *name = tirkeu_portal_code_to_string (i);
      TirkeuPortalCode back = tirkeu_portal_code_from_string (name);

      g_assert_nonnull (name);
      /* codes only the client detects must never be taken from the wire */
      if (tirkeu_portal_code_is_wire (i))
        g_assert_cmpint (back, ==, i);
      else
        g_assert_cmpint (back, ==, TIRKEU_PORTAL_CODE_UNKNOWN);
    }

  g_assert_cmpint (tirkeu_portal_code_from_string ("NO_SUCH_CODE"), ==, TIRKEU_PORTAL_CODE_UNKNOWN);
  g_assert_cmpint (tirkeu_portal_code_from_string (NULL), ==, TIRKEU_PORTAL_CODE_UNKNOWN);
  g_assert_cmpuint (tirkeu_portal_code_get_step (TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/error/domains-distinct", test_error_domains_distinct);
  g_test_add_func ("/error/portal-code-round-trip", test_portal_code_round_trip);

  return g_test_run ();
}
