/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The keyboard and the barcode scanner, for real under Xvfb with key events (XTEST, through
 * xdotool): a VIN typed or scanned with the Russian layout on, the IIN field's 12 digits,
 * Enter in the requests search, and the requests list before the first request. */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "tirkeu-new-request-pages.h"
#include "tirkeu-request-page.h"
#include "tirkeu-request-row.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-tracking-test.h"
#include "tirkeu-ui-test.h"

/* Whether key events can be injected here; else the test is skipped, saying why. */
static gboolean
can_inject_keys (void)
{
  g_autofree char *path = NULL;
  g_autofree char *setxkbmap = NULL;

  tirkeu_ui_test_use_system_data ();
  path = g_find_program_in_path ("xdotool");
  setxkbmap = g_find_program_in_path ("setxkbmap");

#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (gdk_display_get_default ()) && path != NULL && setxkbmap != NULL)
    return TRUE;
#endif
  g_test_skip ("key events are injected through X11 (XTEST) with xdotool and setxkbmap "
               "(build-aux/deps.sh)");
  return FALSE;
}

/* Runs setxkbmap with @layout on the test's display, keeping the main loop running. */
static void
set_keyboard_layout (const char *layout)
{
  tirkeu_ui_test_spawn ((const char *[]) { "setxkbmap", layout, NULL });
  /* GTK reloads the keymap when the server says it changed. */
  tirkeu_ui_test_iterate (300);
}

/* Types @text with the Russian layout on, as a clerk or a scanner does when the layout was
 * left in Russian: the keys are the Cyrillic layout's own, as on a real keyboard. */
static void
type_in_russian_layout (GtkWidget  *window,
                        const char *text)
{
  set_keyboard_layout ("ru");
  tirkeu_ui_test_type (window, text);
  set_keyboard_layout ("us");
}

static GtkWidget *
present (GtkWidget *content,
         int        width,
         int        height)
{
  GtkWidget *window = adw_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  adw_window_set_content (ADW_WINDOW (window), content);
  gtk_window_present (GTK_WINDOW (window));
  tirkeu_ui_test_wait_drawn (window);
  return window;
}

static gboolean
has_focus (GtkWidget *window,
           GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* A mapped label under @root whose text holds @text. */
static GtkWidget *
find_label_with (GtkWidget  *root,
                 const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ЧЕФ… for XTA…: the keys of a Latin VIN pressed with the Russian layout on, as a scanner
 * types them; read as the VIN, and said. */
static void
test_vin_russian_layout (void)
{
  GtkWidget *page;
  GtkWidget *window;
  GtkWidget *entry;
  g_autofree char *screenshot = NULL;

  if (!can_inject_keys ())
    return;
  page = g_object_new (TIRKEU_TYPE_VEHICLE_PAGE, NULL);
  window = present (page, 700, 500);
  entry = tirkeu_vehicle_page_get_entry (TIRKEU_VEHICLE_PAGE (page));
  gtk_widget_grab_focus (entry);

  g_assert_null (find_label_with (window, "Russian layout"));
  type_in_russian_layout (window, "ЧЕФ210743Ы0000120");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "XTA210743S0000120");
  g_assert_nonnull (find_label_with (window, "Typed in the Russian layout: read as XTA210743S0000120"));
  /* The VIN is read, not refused: the hint names the maker. */
  g_assert_nonnull (find_label_with (window, "AvtoVAZ"));
  screenshot = tirkeu_ui_test_save_screenshot (window, "keyboard-vin-russian-layout.png");

  /* Lower case too, and the note goes when the field is emptied for the next vehicle. */
  tirkeu_ui_test_press (window, "ctrl+a");
  tirkeu_ui_test_press (window, "BackSpace");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_null (find_label_with (window, "Russian layout"));
  type_in_russian_layout (window, "чеф210743ы0000120");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "XTA210743S0000120");
  g_assert_nonnull (find_label_with (window, "read as XTA210743S0000120"));

  /* A VIN typed in the Latin layout says nothing of the kind. */
  tirkeu_ui_test_press (window, "ctrl+a");
  tirkeu_ui_test_press (window, "BackSpace");
  tirkeu_ui_test_type (window, "XTA210743S0000120");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "XTA210743S0000120");
  g_assert_null (find_label_with (window, "Russian layout"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The IIN field takes 12 digits: a thirteenth key, or a second scan into a full field, does
 * not make a wrong IIN of a right one; a selected IIN is replaced by the next scan. */
static void
test_iin_twelve_digits (void)
{
  GtkWidget *page;
  GtkWidget *window;
  GtkWidget *entry;

  if (!can_inject_keys ())
    return;
  page = g_object_new (TIRKEU_TYPE_BUYER_PAGE, NULL);
  window = present (page, 700, 500);
  entry = tirkeu_buyer_page_get_entry (TIRKEU_BUYER_PAGE (page));
  gtk_widget_grab_focus (entry);

  tirkeu_ui_test_type (window, "8503123001219");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "850312300121");
  /* A second scan into the full field. */
  tirkeu_ui_test_type (window, "770211300889");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "850312300121");
  g_assert_true (has_focus (window, entry));

  /* Selected, it is replaced. */
  tirkeu_ui_test_press (window, "ctrl+a");
  tirkeu_ui_test_type (window, "770211300889");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "770211300889");

  /* Spaces between the digits do not count: a pasted "850312 300121" fits, and no more. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_editable_set_text (GTK_EDITABLE (entry), "850312 300121 55");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "850312 300121");

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GtkWidget          *window;
  TirkeuRequestsPage *page;
  TirkeuRequestList  *list;
  GPtrArray          *requests;
} Requests;

static void
requests_set_up (Requests *fixture,
                 guint     n_requests)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC - 7200;

  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_requests; i++)
    g_ptr_array_add (fixture->requests,
                     tirkeu_tracking_make_request (i, TIRKEU_STAGE_AWAITING_BUYER, now - i * 600));
  fixture->list = tirkeu_request_list_new ();
  tirkeu_request_list_set_requests (fixture->list, fixture->requests);
  fixture->page = TIRKEU_REQUESTS_PAGE (tirkeu_requests_page_new ());
  tirkeu_requests_page_set_list (fixture->page, fixture->list);
  fixture->window = present (GTK_WIDGET (fixture->page), 1000, 650);
}

static void
requests_tear_down (Requests *fixture)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  tirkeu_ui_test_iterate (10);
  g_assert_finalize_object (fixture->list);
  g_ptr_array_unref (fixture->requests);
}

/* Ctrl+F, a VIN or a request number, Enter: that request opens. */
static void
test_search_enter_opens_first_match (void)
{
  Requests fixture = { 0 };
  TirkeuRequest *wanted;
  TirkeuRequestPage *request_page;

  if (!can_inject_keys ())
    return;
  requests_set_up (&fixture, 12);
  wanted = g_ptr_array_index (fixture.requests, 7);
  request_page = tirkeu_requests_page_get_request_page (fixture.page);

  tirkeu_ui_test_press (fixture.window, "ctrl+f");
  g_assert_true (has_focus (fixture.window,
                            GTK_WIDGET (tirkeu_requests_page_get_search_entry (fixture.page))));
  /* Enter at once, before the search entry's delay has passed. */
  tirkeu_ui_test_xdotool (fixture.window, (const char *[]) { "type", "--delay", "12",
                                              tirkeu_request_get_vin (wanted), NULL });
  tirkeu_ui_test_press (fixture.window, "Return");
  g_assert_true (tirkeu_requests_page_get_showing_request (fixture.page));
  g_assert_true (tirkeu_request_page_get_request (request_page) == wanted);

  /* Back, and a search that matches nothing: Enter stays on the list. */
  tirkeu_ui_test_press (fixture.window, "Escape");
  g_assert_false (tirkeu_requests_page_get_showing_request (fixture.page));
  tirkeu_ui_test_press (fixture.window, "ctrl+f");
  tirkeu_ui_test_press (fixture.window, "ctrl+a");
  tirkeu_ui_test_type (fixture.window, "no-such-request");
  tirkeu_ui_test_press (fixture.window, "Return");
  g_assert_false (tirkeu_requests_page_get_showing_request (fixture.page));
  g_assert_nonnull (find_label_with (fixture.window, "Try another search"));

  requests_tear_down (&fixture);
}

/* The request whose row holds the focus, if any. */
static TirkeuRequest *
focused_request (GtkWidget *window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    {
      GtkWidget *child = gtk_widget_get_first_child (w);

      if (child != NULL && TIRKEU_IS_REQUEST_ROW (child))
        return tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (child));
    }
  return NULL;
}

/* Down from the search goes to the first result, the arrows move on, Up on the first result
 * goes back to the search, Enter opens the one focused. */
static void
test_search_arrows (void)
{
  Requests fixture = { 0 };
  GListModel *model;
  g_autoptr(TirkeuRequest) first = NULL;
  g_autoptr(TirkeuRequest) second = NULL;
  GtkWidget *entry;

  if (!can_inject_keys ())
    return;
  requests_set_up (&fixture, 12);
  model = tirkeu_request_list_get_model (fixture.list);
  entry = GTK_WIDGET (tirkeu_requests_page_get_search_entry (fixture.page));

  tirkeu_ui_test_press (fixture.window, "ctrl+f");
  /* every synthetic VIN has it: several results */
  tirkeu_ui_test_type (fixture.window, "XW8ZZZ");
  for (guint i = 0; i < 50 && g_strcmp0 (tirkeu_request_list_get_search (fixture.list), "XW8ZZZ") != 0; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 2);
  first = g_list_model_get_item (model, 0);
  second = g_list_model_get_item (model, 1);
  g_assert_true (has_focus (fixture.window, entry));

  tirkeu_ui_test_press (fixture.window, "Down");
  tirkeu_ui_test_iterate (100);
  g_assert_true (focused_request (fixture.window) == first);
  tirkeu_ui_test_press (fixture.window, "Down");
  tirkeu_ui_test_iterate (100);
  g_assert_true (focused_request (fixture.window) == second);
  tirkeu_ui_test_press (fixture.window, "Up");
  tirkeu_ui_test_iterate (100);
  g_assert_true (focused_request (fixture.window) == first);
  tirkeu_ui_test_press (fixture.window, "Up");
  tirkeu_ui_test_iterate (100);
  g_assert_true (has_focus (fixture.window, entry));
  /* the search is as it was, to go on typing */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "XW8ZZZ");

  tirkeu_ui_test_press (fixture.window, "Down");
  tirkeu_ui_test_press (fixture.window, "Down");
  tirkeu_ui_test_iterate (100);
  tirkeu_ui_test_press (fixture.window, "Return");
  tirkeu_ui_test_iterate (100);
  g_assert_true (tirkeu_requests_page_get_showing_request (fixture.page));
  g_assert_true (tirkeu_request_page_get_request (tirkeu_requests_page_get_request_page (fixture.page))
                 == second);

  requests_tear_down (&fixture);
}

/* Before the first request the list says how to start, not "try another search". */
static void
test_first_use_empty_list (void)
{
  Requests fixture = { 0 };
  g_autofree char *screenshot = NULL;

  tirkeu_ui_test_use_system_data ();
  requests_set_up (&fixture, 0);
  g_assert_nonnull (find_label_with (fixture.window, "No Requests Yet"));
  g_assert_nonnull (find_label_with (fixture.window, "Ctrl+N"));
  g_assert_null (find_label_with (fixture.window, "Try another search"));
  screenshot = tirkeu_ui_test_save_screenshot (fixture.window, "keyboard-first-use-empty.png");

  /* Once there are requests, an empty list is a search that missed. */
  {
    g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (page, tirkeu_tracking_make_request (1, TIRKEU_STAGE_AWAITING_BUYER,
                                                         g_get_real_time () / G_USEC_PER_SEC));
    tirkeu_request_list_update (fixture.list, page);
  }
  tirkeu_request_list_set_search (fixture.list, "no-such-request");
  tirkeu_ui_test_iterate (100);
  g_assert_nonnull (find_label_with (fixture.window, "Try another search"));
  g_assert_null (find_label_with (fixture.window, "No Requests Yet"));

  requests_tear_down (&fixture);
}

/* Another request opens at its top, not where the last one was scrolled to. */
static void
test_request_opens_at_top (void)
{
  Requests fixture = { 0 };
  TirkeuRequestPage *request_page;
  GtkWidget *scrolled;
  GtkAdjustment *adjustment;
  g_autoptr(TirkeuRequest) first = NULL;
  g_autoptr(TirkeuRequest) second = NULL;

  tirkeu_ui_test_use_system_data ();
  requests_set_up (&fixture, 4);
  /* Short: the request page scrolls. */
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 700, 360);
  request_page = tirkeu_requests_page_get_request_page (fixture.page);
  first = g_list_model_get_item (tirkeu_request_list_get_model (fixture.list), 0);
  second = g_list_model_get_item (tirkeu_request_list_get_model (fixture.list), 1);

  tirkeu_requests_page_show_request (fixture.page, first);
  tirkeu_ui_test_wait_drawn (fixture.window);
  tirkeu_ui_test_iterate (300);
  scrolled = gtk_widget_get_first_child (GTK_WIDGET (request_page));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (scrolled));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  tirkeu_ui_test_iterate (100);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (request_page), "requests.back", NULL));
  tirkeu_requests_page_show_request (fixture.page, second);
  tirkeu_ui_test_iterate (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  requests_tear_down (&fixture);
}

/* The shortcuts window lists Ctrl+N and the keys of the list and of the new-request flow. */
static void
test_shortcuts_window (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *overlay;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  static const char * const expected[] = {
    "New Request\t<Control>n",
    "Search Requests\t<Control>f",
    "Open the First Match\tReturn",
    "Results from the Search\tDown",
    "Search from the First Result\tUp",
    "Back to the List\tEscape",
    "Next Step\tReturn",
    "Previous Step\tEscape",
    "Print the Buyer’s Summary\t<Control>p",
  };

  tirkeu_ui_test_use_system_data ();
  builder = gtk_builder_new_from_resource ("/io/github/tirkeu/Tirkeu/gtk/help-overlay.ui");
  overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_nonnull (overlay);

  {
    g_autoptr(GSList) objects = gtk_builder_get_objects (builder);

    for (GSList *l = objects; l != NULL; l = l->next)
      if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        {
          g_autofree char *title = NULL;
          g_autofree char *accelerator = NULL;

          g_object_get (l->data, "title", &title, "accelerator", &accelerator, NULL);
          g_ptr_array_add (found, g_strdup_printf ("%s\t%s", title, accelerator != NULL ? accelerator : ""));
        }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean listed = FALSE;

      for (guint j = 0; j < found->len && !listed; j++)
        listed = g_str_equal (g_ptr_array_index (found, j), expected[i]);
      if (!listed)
        g_error ("the shortcuts window does not list “%s”", expected[i]);
    }
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  tirkeu_ui_test_init (&argc, &argv);
  /* The icon theme is read at gtk_init(): with the system's data (the Adwaita icons). */
  tirkeu_ui_test_use_system_data ();
  gtk_init ();
  adw_init ();
  {
    /* The application loads its style.css from the resource base path; a bare window does not. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/tirkeu/Tirkeu/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/keyboard/vin-russian-layout", test_vin_russian_layout);
  g_test_add_func ("/keyboard/iin-twelve-digits", test_iin_twelve_digits);
  g_test_add_func ("/keyboard/search-enter-opens-first-match", test_search_enter_opens_first_match);
  g_test_add_func ("/keyboard/search-arrows", test_search_arrows);
  g_test_add_func ("/keyboard/first-use-empty-list", test_first_use_empty_list);
  g_test_add_func ("/keyboard/request-opens-at-top", test_request_opens_at_top);
  g_test_add_func ("/keyboard/shortcuts-window", test_shortcuts_window);

  return g_test_run ();
}
