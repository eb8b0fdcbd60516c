-- protection_note(...): what transition protection did to one funded partnership, in words that
-- read the same way as its figures (no grain: a scalar function of one allocation row).
--
-- p_held is the bound the partnership is held at ('floor' or 'cap', NULL when it is free) and
-- p_effect its amount less its plain Year 10 share (protection_effect). Being held at the floor
-- does not always mean getting more than the Year 10 share: the money that raises others to
-- their floors comes out of the Year 10 shares, so a partnership whose share then falls below its
-- own floor is held there and can still end up below its plain share (and symmetrically for caps,
-- whose money held back is shared out). The words say which it is, so a row never reads "raised"
-- beside a figure below its share. The one place these words are made: the Allocation page, the
-- CSV and XLSX, the meeting pack and the command line all show this text.
CREATE OR REPLACE MACRO percent_text(p_percent) AS
    regexp_replace(CAST(CAST(p_percent AS DECIMAL(9, 4)) AS VARCHAR), '\.?0+$', '') || '%';

CREATE OR REPLACE MACRO protection_note(p_held, p_effect, p_previous, p_loss, p_gain) AS
    CASE
        WHEN p_held = 'floor' AND p_effect > 0 THEN
            'Protected: ' || pounds_text(p_effect * 100) || ' more than its Year 10 share, so it does not fall more than '
            || percent_text(p_loss) || ' below its previous amount of ' || pounds_text(p_previous * 100)
        WHEN p_held = 'floor' THEN
            'Held at its floor, ' || percent_text(p_loss) || ' below its previous amount of ' || pounds_text(p_previous * 100)
            || CASE WHEN p_effect = 0 THEN ': the same as its Year 10 share'
                    ELSE ': still ' || pounds_text(-p_effect * 100) || ' less than its Year 10 share, because raising other '
                         || 'partnerships to their floors leaves less to share by Year 10 (without its floor it would get less)' END
        WHEN p_held = 'cap' AND p_effect < 0 THEN
            'Capped: ' || pounds_text(-p_effect * 100) || ' less than its Year 10 share, so it does not rise more than '
            || percent_text(p_gain) || ' above its previous amount of ' || pounds_text(p_previous * 100)
        WHEN p_held = 'cap' THEN
            'Held at its cap, ' || percent_text(p_gain) || ' above its previous amount of ' || pounds_text(p_previous * 100)
            || CASE WHEN p_effect = 0 THEN ': the same as its Year 10 share'
                    ELSE ': still ' || pounds_text(p_effect * 100) || ' more than its Year 10 share, because the money other '
                         || 'partnerships'' caps hold back is shared by Year 10 (without its cap it would get more)' END
    END;
