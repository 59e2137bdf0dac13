/* am-line-label.c: one line of text, ellipsized, that is measured from its font alone
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the rows of a long list, which GTK rebinds by the dozen on every long
 * scroll. A GtkLabel shapes its whole text to measure its natural width,
 * again to measure its height at a width, and again at its allocation: in
 * Lock Passcodes that was most of a scroll's stall. This label's height
 * is its font's line height and its width a guess from its length, neither
 * needing the text shaped; the text is shaped once, at the width it is
 * given, when it is first drawn, and kept until the text, the width or the
 * style changes.
 *
 * It is styled as a label (its CSS name is "label", so .heading, .dim-label
 * or .warning apply), and it is a label to assistive technologies, named
 * by its text.
 */
#define G_LOG_DOMAIN "am-line-label"

#include "config.h"

#include "am-line-label.h"

/* The natural width asked for: as many characters as the text has, up to this. */
#define MAX_NATURAL_CHARS 60

/* A font's line height, baseline and character width. */
typedef struct
{
  int line_height;
  int baseline;
  int char_width;
} Metrics;

struct _AmLineLabel
{
  GtkWidget             parent_instance;

  char                 *text;
  guint                 n_chars;

  /* Of its font, until the style changes. */
  Metrics               metrics;
  PangoFontDescription *font;

  /* The text shaped at layout_width, until either changes. */
  PangoLayout          *layout;
  int                   layout_width;
};

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmLineLabel, am_line_label, GTK_TYPE_WIDGET)

/* Metrics by font, for every line label: finding them shapes sample text
 * in every font of the fallback list. */
static GHashTable *metrics_by_font;

static void
forget_metrics (void)
{
  g_clear_pointer (&metrics_by_font, g_hash_table_unref);
}

static void
ensure_metrics (AmLineLabel *self)
{
  PangoContext *context;
  const PangoFontDescription *font;
  PangoFontMetrics *font_metrics;
  Metrics *metrics;

  if (self->metrics.line_height > 0)
    return;

  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  font = pango_context_get_font_description (context);
  if (metrics_by_font == NULL)
    metrics_by_font = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                             (GEqualFunc) pango_font_description_equal,
                                             (GDestroyNotify) pango_font_description_free, g_free);
  metrics = g_hash_table_lookup (metrics_by_font, font);
  if (metrics == NULL)
    {
      metrics = g_new0 (Metrics, 1);
      font_metrics = pango_context_get_metrics (context, font, NULL);
      metrics->baseline = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (font_metrics));
      metrics->line_height = MAX (metrics->baseline + PANGO_PIXELS_CEIL (pango_font_metrics_get_descent (font_metrics)),
                                  PANGO_PIXELS_CEIL (pango_font_metrics_get_height (font_metrics)));
      metrics->char_width = PANGO_PIXELS_CEIL (MAX (pango_font_metrics_get_approximate_char_width (font_metrics),
                                                    pango_font_metrics_get_approximate_digit_width (font_metrics)));
      pango_font_metrics_unref (font_metrics);
      g_hash_table_insert (metrics_by_font, pango_font_description_copy (font), metrics);
    }
  self->metrics = *metrics;
}

static PangoLayout *
ensure_layout (AmLineLabel *self,
               int          width)
{
  if (self->layout != NULL && self->layout_width == width)
    return self->layout;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  pango_layout_set_width (self->layout, width * PANGO_SCALE);
  self->layout_width = width;

  return self->layout;
}

static void
forget_layout (AmLineLabel *self)
{
  g_clear_object (&self->layout);
  self->layout_width = 0;
}

static void
am_line_label_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  AmLineLabel *self = AM_LINE_LABEL (widget);

  ensure_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* As narrow as an ellipsis; as wide as the text, roughly. */
      *minimum = self->n_chars > 0 ? self->metrics.char_width : 0;
      *natural = self->metrics.char_width * MIN (self->n_chars, MAX_NATURAL_CHARS);
    }
  else
    {
      *minimum = *natural = self->n_chars > 0 ? self->metrics.line_height : 0;
      *minimum_baseline = *natural_baseline = self->n_chars > 0 ? self->metrics.baseline : -1;
    }
}

static void
am_line_label_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  AmLineLabel *self = AM_LINE_LABEL (widget);
  int width = gtk_widget_get_width (widget);
  PangoLayout *layout;
  GdkRGBA color;

  if (self->n_chars == 0 || width <= 0)
    return;

  ensure_metrics (self);
  layout = ensure_layout (self, width);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  gtk_snapshot_save (snapshot);
  /* Its first line's baseline on the font's: the line sits where a label's would. */
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, self->metrics.baseline - pango_layout_get_baseline (layout) / PANGO_SCALE));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
am_line_label_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  AmLineLabel *self = AM_LINE_LABEL (widget);

  /* Shaped again only when drawn at a new width. */
  if (self->layout != NULL && self->layout_width != width)
    gtk_widget_queue_draw (widget);
}

static void
am_line_label_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  AmLineLabel *self = AM_LINE_LABEL (widget);

  const PangoFontDescription *font;

  GTK_WIDGET_CLASS (am_line_label_parent_class)->css_changed (widget, change);

  /* Most changes are of state or colour (drawn again by GTK); a new font
   * is measured and shaped again. */
  font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));
  if (self->font != NULL && pango_font_description_equal (font, self->font))
    return;
  g_clear_pointer (&self->font, pango_font_description_free);
  self->font = pango_font_description_copy (font);
  self->metrics.line_height = 0;
  forget_layout (self);
  gtk_widget_queue_resize (widget);
}

static void
am_line_label_direction_changed (GtkWidget        *widget,
                                 GtkTextDirection  previous)
{
  forget_layout (AM_LINE_LABEL (widget));
  gtk_widget_queue_draw (widget);
}

static void
am_line_label_system_setting_changed (GtkWidget       *widget,
                                      GtkSystemSetting setting)
{
  AmLineLabel *self = AM_LINE_LABEL (widget);

  GTK_WIDGET_CLASS (am_line_label_parent_class)->system_setting_changed (widget, setting);

  /* A new resolution or font changes every font's metrics. */
  forget_metrics ();
  self->metrics.line_height = 0;
  forget_layout (self);
  gtk_widget_queue_resize (widget);
}

static void
am_line_label_finalize (GObject *object)
{
  AmLineLabel *self = AM_LINE_LABEL (object);

  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_free (self->text);

  G_OBJECT_CLASS (am_line_label_parent_class)->finalize (object);
}

static void
am_line_label_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AmLineLabel *self = AM_LINE_LABEL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, am_line_label_get_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_line_label_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  AmLineLabel *self = AM_LINE_LABEL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      am_line_label_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_line_label_class_init (AmLineLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = am_line_label_finalize;
  object_class->get_property = am_line_label_get_property;
  object_class->set_property = am_line_label_set_property;

  widget_class->measure = am_line_label_measure;
  widget_class->size_allocate = am_line_label_size_allocate;
  widget_class->snapshot = am_line_label_snapshot;
  widget_class->css_changed = am_line_label_css_changed;
  widget_class->direction_changed = am_line_label_direction_changed;
  widget_class->system_setting_changed = am_line_label_system_setting_changed;

  /* The line's text; the empty string when it shows nothing. */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
am_line_label_init (AmLineLabel *self)
{
  self->text = g_strdup ("");
}

GtkWidget *
am_line_label_new (void)
{
  return g_object_new (AM_TYPE_LINE_LABEL, NULL);
}

const char *
am_line_label_get_text (AmLineLabel *self)
{
  g_return_val_if_fail (AM_IS_LINE_LABEL (self), NULL);

  return self->text;
}

/**
 * am_line_label_set_text:
 * @self: a line label
 * @text: (nullable): its text, one line; %NULL for none
 *
 * A line break in @text is shown as a glyph of its own, not as a new line.
 */
void
am_line_label_set_text (AmLineLabel *self,
                        const char  *text)
{
  guint n_chars;

  g_return_if_fail (AM_IS_LINE_LABEL (self));

  if (text == NULL)
    text = "";
  if (g_str_equal (text, self->text))
    return;

  n_chars = g_utf8_strlen (text, -1);
  g_free (self->text);
  self->text = g_strdup (text);
  forget_layout (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);

  /* Its height is the font's whatever the text; its width a guess by length. */
  if (MIN (n_chars, MAX_NATURAL_CHARS) != MIN (self->n_chars, MAX_NATURAL_CHARS) ||
      (n_chars == 0) != (self->n_chars == 0))
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
  self->n_chars = n_chars;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}
